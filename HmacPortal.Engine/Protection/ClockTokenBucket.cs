using System.Threading.RateLimiting;

namespace HmacPortal.Engine.Protection;

/// <summary>
/// A token bucket on the injected clock, so limits are exact and testable with a fake clock (the
/// framework's own limiters read the system timer). Its size and refill are read on every request,
/// so an edit of <c>[rate_limit]</c> applies to clients already being limited.
/// </summary>
public sealed class ClockTokenBucket(Func<(int Burst, double PerSecond)> settings, TimeProvider clock) : RateLimiter
{
    private readonly Lock _gate = new();
    private double _tokens = double.NaN;
    private DateTimeOffset _last = clock.GetUtcNow();

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Refill(out var burst, out _);
                return _tokens >= burst ? clock.GetUtcNow() - _last : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill(out _, out _);
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)_tokens };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            Refill(out _, out var perSecond);
            if (_tokens >= permitCount)
            {
                _tokens -= permitCount;
                return Granted;
            }

            return Refused(TimeSpan.FromSeconds(Math.Ceiling((permitCount - _tokens) / perSecond)));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill(out int burst, out double perSecond)
    {
        (burst, perSecond) = settings();
        var now = clock.GetUtcNow();
        _tokens = double.IsNaN(_tokens) ? burst : Math.Min(burst, _tokens + ((now - _last).TotalSeconds * perSecond));
        _last = now;
    }

    /// <summary>A lease that was granted.</summary>
    internal static RateLimitLease Granted => Lease.Granted;

    /// <summary>A lease that was refused, saying when to try again.</summary>
    internal static RateLimitLease Refused(TimeSpan retryAfter) => new Lease(false, retryAfter);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
