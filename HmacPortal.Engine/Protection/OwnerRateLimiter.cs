using System.Threading.RateLimiting;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Protection;

/// <summary>
/// <c>[rate_limit] by_owner</c>: a token bucket per owner, so one account cannot upload faster than
/// allowed from however many addresses. Taken only after the request's signature is checked,
/// because an owner named by an unsigned request could be anyone's, and spending their budget
/// would lock them out.
/// </summary>
public sealed class OwnerRateLimiter : IDisposable
{
    private readonly IOptionsMonitor<RateLimitOptions> _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public OwnerRateLimiter(IOptionsMonitor<RateLimitOptions> options, TimeProvider clock, Cluster.TokenBuckets? buckets = null)
    {
        _options = options;
        buckets ??= new Cluster.TokenBuckets(clock);
        _limiter = PartitionedRateLimiter.Create<string, string>(owner => RateLimitPartition.Get(owner, key => buckets.Create(
            "rl:owner:" + key, () => (Math.Max(1, _options.CurrentValue.Burst), Math.Max(1, _options.CurrentValue.RequestsPerMinute) / 60.0))));
    }

    /// <summary>Null when <paramref name="owner"/> may make this request; otherwise how long to wait.</summary>
    public TimeSpan? TryAcquire(string? owner)
    {
        var o = _options.CurrentValue;
        if (!o.Enabled || !o.ByOwner || owner is null || o.ExemptOwners.Contains(owner, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(owner.ToLowerInvariant());
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>What the refused client is told.</summary>
    public static string Refusal(TimeSpan wait) =>
        $"this uploader is sending uploads faster than allowed; try again in {Math.Max(1, Math.Ceiling(wait.TotalSeconds))} s";

    public void Dispose() => _limiter.Dispose();
}
