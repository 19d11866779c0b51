using System.Collections.Concurrent;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Protection;

/// <summary>
/// Bans a client address after <c>[security] ban_after</c> signature failures within
/// <c>ban_window</c>, for <c>ban_duration</c>: a banned address gets 403 before any other work.
/// Settings are read live; <c>ban_after = 0</c> turns banning off.
/// </summary>
public sealed class BanList(IOptionsMonitor<SecurityOptions> options, TimeProvider clock, ILogger<BanList> logger, Audit.AuditTrail? audit = null)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Ban> _bans = new(StringComparer.Ordinal);

    /// <summary>The ban on <paramref name="client"/>, if one is in force.</summary>
    public Ban? Find(string? client)
    {
        if (client is null || !_bans.TryGetValue(client, out var ban))
        {
            return null;
        }

        if (ban.Until > clock.GetUtcNow())
        {
            return ban;
        }

        _bans.TryRemove(new KeyValuePair<string, Ban>(client, ban));
        return null;
    }

    /// <summary>Counts a failed signature; bans the address when it has failed too often.</summary>
    public void RecordSignatureFailure(string? client)
    {
        audit?.Note("signature.failed", "client", client, client ?? "unknown", "a MAC or token that did not check out");
        var security = options.CurrentValue;
        if (client is null || security.BanAfter <= 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        PruneStaleFailures(now, security.BanWindow);
        var recent = _failures.AddOrUpdate(
            client,
            _ => [now],
            (_, previous) => previous.Where(t => now - t < security.BanWindow).Append(now).ToList());
        if (recent.Count >= security.BanAfter)
        {
            _failures.TryRemove(client, out _);
            var ban = new Ban(client, now, now + security.BanDuration, $"{recent.Count} signature failures within {GoDuration.Format(security.BanWindow)}");
            _bans[client] = ban;
            ProtectionLog.Banned(logger, client, ban.Until, ban.Reason);
            audit?.Record("ban.added", "server", client, client, $"{ban.Reason}; until {ban.Until:u}");
        }
    }

    /// <summary>Bans in force, newest first.</summary>
    public IReadOnlyList<Ban> Current()
    {
        var now = clock.GetUtcNow();
        return _bans.Values.Where(b => b.Until > now).OrderByDescending(b => b.Since).ToList();
    }

    /// <summary>Lifts a ban; false if there was none.</summary>
    public bool Lift(string client, string liftedBy)
    {
        _failures.TryRemove(client, out _);
        if (!_bans.TryRemove(client, out _))
        {
            return false;
        }

        ProtectionLog.Lifted(logger, client, liftedBy);
        audit?.Record("ban.lifted", liftedBy, null, client);
        return true;
    }

    /// <summary>Addresses whose failures all left the window are forgotten, so scans from many addresses cannot grow memory without end.</summary>
    private void PruneStaleFailures(DateTimeOffset now, TimeSpan window)
    {
        // At most every few seconds: under a scan from many addresses a sweep per failure would cost too much.
        if (_failures.Count < PruneAbove || now - _lastPrune < PruneEvery)
        {
            return;
        }

        _lastPrune = now;

        foreach (var (client, times) in _failures)
        {
            if (times.All(t => now - t >= window))
            {
                _failures.TryRemove(new KeyValuePair<string, IReadOnlyList<DateTimeOffset>>(client, times));
            }
        }

        foreach (var (client, ban) in _bans)
        {
            if (ban.Until <= now)
            {
                _bans.TryRemove(new KeyValuePair<string, Ban>(client, ban));
            }
        }
    }

    /// <summary>How many addresses with failures are kept before stale ones are looked for.</summary>
    internal const int PruneAbove = 1024;

    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);

    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    internal int TrackedAddresses => _failures.Count;
}
