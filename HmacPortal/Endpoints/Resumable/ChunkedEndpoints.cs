using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Resumable;

/// <summary>
/// The Go server's chunked API: <c>POST|PUT /chunked-upload</c> opens a session (signed, without a
/// body) or carries one chunk (<c>X-Upload-Session-ID</c> + <c>X-Chunk-Number</c>), and
/// <c>GET /upload-status?session_id=</c> says where it stands. The JSON answers have the Go
/// server's shapes (with a few more fields); every refusal is a problem body.
/// </summary>
internal static class ChunkedEndpoints
{
    public const string UploadPath = "/chunked-upload";
    public const string StatusPath = "/upload-status";
    private const string AllowedHeaders = "Authorization, Content-Type, X-Filename, X-Total-Size, X-Upload-Session-ID, X-Chunk-Number";

    public static IEndpointRouteBuilder MapChunkedEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(string.Empty).AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            if (!context.RequestServices.GetRequiredService<ChunkedUploadService>().Enabled)
            {
                return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "chunked uploads are not enabled (chunked_uploads_enabled)");
            }

            CorsHeaders.Apply(context, context.RequestServices.GetRequiredService<IOptionsMonitor<CorsOptions>>().CurrentValue, "Content-Type");
            return await next(invocation);
        });
        group.MapMethods(UploadPath, [HttpMethods.Post, HttpMethods.Put], UploadAsync).RequireRateLimiting(HmacPortal.Hosting.RateLimitSetup.UploadPolicy);
        group.MapGet(StatusPath, Status);
        group.MapMethods(UploadPath, [HttpMethods.Options], Preflight);
        group.MapMethods(StatusPath, [HttpMethods.Options], Preflight);
        return endpoints;
    }

    private static IResult Preflight(HttpContext context, IOptionsMonitor<CorsOptions> cors) =>
        CorsHeaders.Preflight(context, cors.CurrentValue, "POST, PUT, GET, OPTIONS", AllowedHeaders);

    private static async Task<IResult> UploadAsync(
        HttpContext context, ChunkedUploadService chunked, IOptionsMonitor<ServerOptions> server, TimeProvider clock)
    {
        var request = context.Request;
        var client = context.Connection.RemoteIpAddress?.ToString();
        var metrics = context.RequestServices.GetRequiredService<Metrics.ServerMetrics>();
        if (Header(request, "X-Upload-Session-ID") is not { } sessionId)
        {
            var created = await chunked.CreateAsync(new ChunkedCreateRequest(
                Header(request, "X-Filename"), Header(request, "X-Total-Size"), request.ContentType, RequestCredentials.From(request), client, request.ContentLength));
            if (created is not { Result: TusResult.Created, Session: { } session })
            {
                CountFailure(context, metrics, created.Result);
                return HttpOutcomes.ToResult(created);
            }

            var chunkSize = session.ChunkSize!.Value;
            return Results.Json(
                new
                {
                    session_id = session.Id,
                    chunk_size = chunkSize,
                    total_chunks = ChunkedUploadService.ChunkCount(session.Length!.Value, chunkSize),
                    expires = session.Expires,
                    completed = session.Completed,
                    url = TusEndpoints.FileUrl(session, server.CurrentValue),
                },
                statusCode: StatusCodes.Status201Created);
        }

        // The service reads no more than the chunk's exact length (given by Content-Length, which is required),
        // and chunk_size is at most 2 GB; Kestrel's default limit would refuse chunks above 30 MB.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = int.MaxValue;
        }

        var outcome = await chunked.WriteChunkAsync(
            new ChunkRequest(sessionId, Header(request, "X-Chunk-Number"), request.ContentLength, client), request.BodyReader, context.RequestAborted);
        switch (outcome)
        {
            case { Result: TusResult.Found, Session: { } }:
                return Results.Json(new { message = outcome.Detail, chunk = ChunkNumber(request) });
            case { Result: TusResult.Written, Session: { Completed: true } done }:
                var duration = clock.GetUtcNow() - done.Created;
                metrics.UploadStored("chunked", done.Length!.Value, duration);
                return Results.Json(new
                {
                    success = true,
                    filename = StoragePath.TryCreate(done.TargetPath, out var path, out _) ? path.FileName : done.TargetPath,
                    size = done.Length,
                    duration = GoDuration.Format(duration),
                    completed = true,
                    url = TusEndpoints.FileUrl(done, server.CurrentValue),
                });
            case { Result: TusResult.Written, Session: { } progress }:
                return Results.Json(new
                {
                    success = true,
                    chunk = ChunkNumber(request),
                    uploaded_bytes = progress.Offset,
                    total_size = progress.Length,
                    progress = Progress(progress),
                    completed = false,
                });
            default:
                CountFailure(context, metrics, outcome.Result);
                return HttpOutcomes.ToResult(outcome);
        }
    }

    private static IResult Status(HttpContext context, ChunkedUploadService chunked, TusService tus, IOptionsMonitor<ServerOptions> server)
    {
        context.Response.Headers.CacheControl = "no-store";
        var outcome = chunked.Status(context.Request.Query["session_id"].FirstOrDefault());
        if (outcome is not { Result: TusResult.Found, Session: { } session })
        {
            return HttpOutcomes.ToResult(outcome);
        }

        return Results.Json(new
        {
            session_id = session.Id,
            filename = StoragePath.TryCreate(session.TargetPath, out var path, out _) ? path.FileName : session.TargetPath,
            total_size = session.Length,
            uploaded_bytes = session.Offset,
            progress = Progress(session),
            completed = session.Completed,
            last_activity = tus.LastActivity(session),
            chunks = ChunkedUploadService.ReceivedCount(session),
            chunk_size = session.ChunkSize,
            total_chunks = ChunkedUploadService.ChunkCount(session.Length!.Value, session.ChunkSize!.Value),
            expires = session.Expires,
            url = TusEndpoints.FileUrl(session, server.CurrentValue),
        });
    }

    private static void CountFailure(HttpContext context, Metrics.ServerMetrics metrics, TusResult result)
    {
        if (result == TusResult.QuotaExceeded)
        {
            metrics.QuotaRefusals.Inc();
            context.RequestServices.GetRequiredService<Engine.Audit.AuditTrail>().Note(
                "quota.refused", "client", context.Connection.RemoteIpAddress?.ToString(), context.Request.Path.Value ?? string.Empty, "the upload does not fit in its owner's quota");
        }

        context.Response.OnCompleted(() =>
        {
            metrics.UploadFailed("chunked", context.Response.StatusCode);
            return Task.CompletedTask;
        });
    }

    private static double Progress(UploadSession session) => session.Length is { } length && length > 0 ? (double)session.Offset / length : 1.0;

    /// <summary>The chunk number of a request the service has accepted (and so parsed).</summary>
    private static int ChunkNumber(HttpRequest request) =>
        int.TryParse(Header(request, "X-Chunk-Number"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : -1;

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;
}
