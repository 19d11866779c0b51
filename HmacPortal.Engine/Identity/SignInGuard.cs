using System.Collections.Concurrent;

namespace HmacPortal.Engine.Identity;

/// <summary>
/// Locks a client address out of sign-in after repeated failures: <see cref="MaxFailures"/> within
/// <see cref="Window"/> lock it for <see cref="LockoutTime"/>. Together with the deliberately slow
/// password hash this makes guessing impractical.
/// </summary>
public sealed class SignInGuard(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Attempts> _attempts = new(StringComparer.Ordinal);

    /// <summary>True while <paramref name="client"/> is locked out, with how long is left.</summary>
    public bool IsLockedOut(string client, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        if (_attempts.TryGetValue(client, out var attempts) && attempts.LockedUntil is { } until && until > clock.GetUtcNow())
        {
            remaining = until - clock.GetUtcNow();
            return true;
        }

        return false;
    }

    public void RecordFailure(string client)
    {
        var now = clock.GetUtcNow();
        _attempts.AddOrUpdate(
            client,
            _ => new Attempts([now], null),
            (_, previous) =>
            {
                var recent = previous.Failures.Where(t => now - t < Window).Append(now).ToList();
                return recent.Count >= MaxFailures ? new Attempts([], now + LockoutTime) : new Attempts(recent, previous.LockedUntil);
            });
    }

    public void RecordSuccess(string client) => _attempts.TryRemove(client, out _);

    private sealed record Attempts(IReadOnlyList<DateTimeOffset> Failures, DateTimeOffset? LockedUntil);
}
