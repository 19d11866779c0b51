using HmacPortal.Engine.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HmacPortal.Engine.Health;

/// <summary>Degraded (still ready) while Redis is configured but out of reach: the node then works alone.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!redis.Enabled ? HealthCheckResult.Healthy("not used ([redis] redisenabled = false)")
            : redis.Degraded ? HealthCheckResult.Degraded(DegradedText)
            : HealthCheckResult.Healthy("shared with the other nodes"));

    public const string DegradedText = "Redis is unreachable: this node's rate limits, bans, quota reservations and upload locks are its own until it is back";
}
