using System.Collections.Concurrent;
using System.Text.Json;
using HmacPortal.Engine.Configuration;
using StackExchange.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Protection;

/// <summary>
/// Bans a client address after <c>[security] ban_after</c> signature failures within
/// <c>ban_window</c>, for <c>ban_duration</c>: a banned address gets 403 before any other work.
/// Settings are read live; <c>ban_after = 0</c> turns banning off. With Redis the failures and
/// bans are the cluster's: counted by one script per failure, and a ban made on one node holds on
/// every node. A ban is also kept by the node that made it, so it holds while Redis is away.
/// </summary>
public sealed class BanList(
    IOptionsMonitor<SecurityOptions> options, TimeProvider clock, ILogger<BanList> logger, Audit.AuditTrail? audit = null, Cluster.RedisConnection? redis = null)
{
    /// <summary>KEYS[1] the address's failures, KEYS[2] its ban; ARGV now (ms), window (ms), ban_after, duration (ms), the ban, a unique id. Answers the failures counted, negative when no ban was made.</summary>
    private const string FailureScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        local count = redis.call('ZCARD', KEYS[1])
        if count >= tonumber(ARGV[3]) then
          redis.call('DEL', KEYS[1])
          redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
          return count
        end
        return -count
        """;

    private readonly ConcurrentDictionary<string, IReadOnlyList<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Ban> _bans = new(StringComparer.Ordinal);

    /// <summary>The ban on <paramref name="client"/>, if one is in force.</summary>
    public Ban? Find(string? client)
    {
        if (client is null)
        {
            return null;
        }

        // Shared, Redis is the truth (a ban lifted on another node is lifted here); alone, the node's own bans are.
        return redis is { Shared: true }
            ? redis.SharedOr(database => Read(database.StringGet(redis.Key("ban:" + client))), () => FindLocal(client))
            : FindLocal(client);
    }

    private Ban? FindLocal(string client)
    {
        if (!_bans.TryGetValue(client, out var ban))
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
        if (redis is { Enabled: true } && redis.SharedOr(database => RecordShared(database, client, now, security), () => false))
        {
            return;
        }

        PruneStaleFailures(now, security.BanWindow);
        var recent = _failures.AddOrUpdate(
            client,
            _ => [now],
            (_, previous) => previous.Where(t => now - t < security.BanWindow).Append(now).ToList());
        if (recent.Count >= security.BanAfter)
        {
            _failures.TryRemove(client, out _);
            Banned(NewBan(client, now, recent.Count, security));
        }
    }

    private static Ban NewBan(string client, DateTimeOffset now, long failures, SecurityOptions security) =>
        new(client, now, now + security.BanDuration, $"{failures} signature failures within {GoDuration.Format(security.BanWindow)}");

    private void Banned(Ban ban)
    {
        _bans[ban.Client] = ban;
        ProtectionLog.Banned(logger, ban.Client, ban.Until, ban.Reason);
        audit?.Record("ban.added", "server", ban.Client, ban.Client, $"{ban.Reason}; until {ban.Until:u}");
    }

    /// <summary>Counts the failure in Redis (true when it was); a ban it makes is kept here too.</summary>
    private bool RecordShared(IDatabase database, string client, DateTimeOffset now, SecurityOptions security)
    {
        var ban = NewBan(client, now, security.BanAfter, security);
        var counted = (long)database.ScriptEvaluate(FailureScript, [redis!.Key("fail:" + client), redis.Key("ban:" + client)],
        [
            now.ToUnixTimeMilliseconds(), (long)security.BanWindow.TotalMilliseconds, security.BanAfter,
            Math.Max(1, (long)security.BanDuration.TotalMilliseconds), JsonSerializer.Serialize(ban), Guid.NewGuid().ToString("N"),
        ]);
        if (counted > 0)
        {
            Banned(ban with { Reason = $"{counted} signature failures within {GoDuration.Format(security.BanWindow)}" });
        }

        return true;
    }

    private Ban? Read(RedisValue value)
    {
        var ban = value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Ban>(value.ToString());
        return ban is not null && ban.Until > clock.GetUtcNow() ? ban : null;
    }

    /// <summary>Bans in force, newest first.</summary>
    public IReadOnlyList<Ban> Current()
    {
        var now = clock.GetUtcNow();
        List<Ban> Local() => _bans.Values.Where(b => b.Until > now).ToList();
        var bans = redis is { Shared: true } ? redis.SharedOr(SharedBans, Local) : Local();
        return bans.OrderByDescending(b => b.Since).ToList();
    }

    /// <summary>Every ban in Redis (made by any node).</summary>
    private List<Ban> SharedBans(IDatabase database)
    {
        var keys = new List<RedisKey>();
        foreach (var endpoint in redis!.Multiplexer.GetEndPoints())
        {
            keys.AddRange(redis.Multiplexer.GetServer(endpoint).Keys(redis.DatabaseIndex, redis.Prefix + "ban:*", pageSize: 500));
        }

        return keys.Count == 0 ? [] : database.StringGet(keys.ToArray()).Select(Read).OfType<Ban>().ToList();
    }

    /// <summary>Lifts a ban; false if there was none.</summary>
    public bool Lift(string client, string liftedBy)
    {
        _failures.TryRemove(client, out _);
        var lifted = _bans.TryRemove(client, out _);
        if (redis is { Enabled: true })
        {
            lifted |= redis.SharedOr(database => database.KeyDelete([redis.Key("ban:" + client), redis.Key("fail:" + client)]) > 0, () => false);
        }

        if (!lifted)
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
