using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Network;
using HmacPortal.Engine.Protection;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// <c>[rate_limit]</c> with ASP.NET Core's rate limiting middleware: one token bucket per client
/// address (the resolved one, so a forged X-Forwarded-For from outside <c>trusted_proxies</c> buys
/// nothing) for the upload endpoints, 429 with Retry-After and a problem body when it is empty.
/// </summary>
internal static class RateLimitSetup
{
    public const string UploadPolicy = "uploads";

    public static IServiceCollection AddHmacPortalRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(UploadPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>();
                var address = context.Connection.RemoteIpAddress;
                if (!options.CurrentValue.Enabled || !options.CurrentValue.ByAddress || address is null || IsExempt(options.CurrentValue, address))
                {
                    return RateLimitPartition.GetNoLimiter("exempt");
                }

                var buckets = context.RequestServices.GetRequiredService<HmacPortal.Engine.Cluster.TokenBuckets>();
                return RateLimitPartition.Get(address.ToString(), key => buckets.Create(
                    "rl:addr:" + key, () => (Math.Max(1, options.CurrentValue.Burst), Math.Max(1, options.CurrentValue.RequestsPerMinute) / 60.0)));
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                rejected.HttpContext.RequestServices.GetRequiredService<Endpoints.Metrics.ServerMetrics>().RateLimited.Inc();
                response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Endpoints.HttpOutcomes.Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                    $"this address is sending uploads faster than allowed; try again in {Math.Ceiling(wait.TotalSeconds)} s").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static bool IsExempt(RateLimitOptions options, IPAddress address) =>
        options.Exempt.Any(text => ClientAddress.TryParseNetwork(text, out var network) && network.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
}
