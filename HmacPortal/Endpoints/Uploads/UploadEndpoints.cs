using System.Diagnostics;
using HmacPortal.Endpoints.Metrics;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Uploads;

/// <summary><c>PUT {upload_prefix}{path}</c>: the XEP-0363 receiver, and the CORS preflight for it.</summary>
internal static class UploadEndpoints
{
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder endpoints, string prefix)
    {
        endpoints.MapPut(prefix + "{**path}", PutAsync).RequireRateLimiting(HmacPortal.Hosting.RateLimitSetup.UploadPolicy);
        endpoints.MapMethods(prefix + "{**path}", [HttpMethods.Options],
            (HttpContext context, IOptionsMonitor<CorsOptions> cors) => CorsHeaders.Preflight(context, cors.CurrentValue));
        return endpoints;
    }

    private static async Task<IResult> PutAsync(
        HttpContext context,
        UploadService uploads,
        IOptionsMonitor<ServerOptions> server,
        IOptionsMonitor<CorsOptions> cors,
        ServerMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        CorsHeaders.Apply(context, cors.CurrentValue);
        if (!RequestPaths.TryGet(context, server.CurrentValue.UploadPrefix, out var path, out var error))
        {
            return HttpOutcomes.Problem(StatusCodes.Status400BadRequest, "bad-path", "Bad path", error);
        }

        // Kestrel's own limit follows the configured maximum, read live, for this endpoint only.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = server.CurrentValue.MaxUploadSize.Bytes;
        }

        var request = context.Request;
        var credentials = RequestCredentials.From(request);
        var upload = new UploadRequest(path, request.ContentLength, request.ContentType, credentials, context.Connection.RemoteIpAddress?.ToString());
        var protocol = RequestCredentials.Protocol(credentials);
        context.Response.OnCompleted(() =>
        {
            if (context.Response.StatusCode == StatusCodes.Status201Created)
            {
                metrics.UploadStored(protocol, request.ContentLength ?? 0, Stopwatch.GetElapsedTime(started));
            }
            else
            {
                metrics.UploadFailed(protocol, context.Response.StatusCode);
                context.RequestServices.GetRequiredService<HmacPortal.Engine.Telemetry.TransferMonitor>().Refused(context.Response.StatusCode);
            }

            return Task.CompletedTask;
        });

        var outcome = await uploads.UploadAsync(upload, request.BodyReader, context.RequestAborted);
        if (outcome.Result == UploadResult.QuotaExceeded)
        {
            metrics.QuotaRefusals.Inc();
            context.RequestServices.GetRequiredService<Engine.Audit.AuditTrail>().Note("quota.refused", "client", upload.ClientAddress, path.Value, outcome.Detail);
        }

        return HttpOutcomes.ToResult(outcome);
    }
}
