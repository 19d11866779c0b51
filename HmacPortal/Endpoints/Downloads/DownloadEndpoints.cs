using System.Diagnostics;
using HmacPortal.Endpoints.Metrics;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Downloads;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HmacPortal.Endpoints.Downloads;

/// <summary>
/// <c>GET</c>/<c>HEAD</c> on the GET URL (the PUT URL without its query) and on <c>/download/{path}</c>
/// for links made by the Go server. Ranges and conditional requests are answered by the framework's
/// file result; nothing is compressed, so Content-Length is the stored size.
/// </summary>
internal static class DownloadEndpoints
{
    public const string GoPrefix = "/download/";
    private const string ThumbnailItem = "download.thumbnail";

    public static IEndpointRouteBuilder MapDownloadEndpoints(this IEndpointRouteBuilder endpoints, string prefix)
    {
        endpoints.MapMethods(prefix + "{**path}", [HttpMethods.Get, HttpMethods.Head],
            (HttpContext context, DownloadService downloads, IOptionsMonitor<CorsOptions> cors, ServerMetrics metrics, CancellationToken ct) =>
                ServeAsync(context, prefix, downloads, cors.CurrentValue, metrics, ct));
        if (!string.Equals(prefix, GoPrefix, StringComparison.OrdinalIgnoreCase))
        {
            endpoints.MapMethods(GoPrefix + "{**path}", [HttpMethods.Get, HttpMethods.Head],
                (HttpContext context, DownloadService downloads, IOptionsMonitor<CorsOptions> cors, ServerMetrics metrics, CancellationToken ct) =>
                    ServeAsync(context, GoPrefix, downloads, cors.CurrentValue, metrics, ct));
            endpoints.MapMethods(GoPrefix + "{**path}", [HttpMethods.Options],
                (HttpContext context, IOptionsMonitor<CorsOptions> cors) => CorsHeaders.Preflight(context, cors.CurrentValue));
        }

        return endpoints;
    }

    private static async Task<IResult> ServeAsync(
        HttpContext context, string prefix, DownloadService downloads, CorsOptions cors, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.OnCompleted(() =>
            {
                var status = context.Response.StatusCode;
                var transfers = context.RequestServices.GetRequiredService<HmacPortal.Engine.Telemetry.TransferMonitor>();
                if (context.Items.ContainsKey(ThumbnailItem) && status < 400)
                {
                    // A preview served is not a download of the file.
                    return Task.CompletedTask;
                }

                if (status is StatusCodes.Status200OK or StatusCodes.Status206PartialContent)
                {
                    metrics.DownloadServed(context.Response.ContentLength ?? 0, Stopwatch.GetElapsedTime(started));
                    transfers.DownloadServed(context.Response.ContentLength ?? 0);
                }
                else if (status >= 400)
                {
                    metrics.DownloadFailed(status);
                    transfers.Refused(status);
                }

                return Task.CompletedTask;
            });
        }

        CorsHeaders.Apply(context, cors);
        if (!RequestPaths.TryGet(context, prefix, out var path, out _))
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "there is no file at this address");
        }

        var outcome = await downloads.FindAsync(path, cancellationToken);
        if (outcome.Result == DownloadResult.NotAllowed)
        {
            return HttpOutcomes.Problem(StatusCodes.Status403Forbidden, "download-not-allowed", "Download not allowed", "files of this type are not served");
        }

        if (outcome is { Result: DownloadResult.Quarantined, Record: { } infected })
        {
            return HttpOutcomes.Problem(StatusCodes.Status403Forbidden, "quarantined", "File quarantined",
                $"the virus scanner found {infected.Scan!["infected: ".Length..]} in this file; it was quarantined");
        }

        if (outcome is not { Result: DownloadResult.Found, Record: { } record, File: { } file })
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "there is no file at this address");
        }

        if (context.Request.Query.TryGetValue("thumbnail", out var thumbnail))
        {
            if (thumbnail.ToString().Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                context.Items[ThumbnailItem] = true;
                return SendThumbnail(context, record);
            }

            if (!thumbnail.ToString().Equals("false", StringComparison.OrdinalIgnoreCase))
            {
                return HttpOutcomes.Problem(StatusCodes.Status400BadRequest, "bad-request", "Bad request", "thumbnail must be true or false");
            }
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.OnCompleted(() =>
            {
                if (context.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent)
                {
                    downloads.Count(record);
                    context.RequestServices.GetRequiredService<Engine.Audit.AuditTrail>().Note(
                        "download.served", "anonymous", context.Connection.RemoteIpAddress?.ToString(), record.Path, $"{context.Response.ContentLength ?? 0} bytes");
                }

                return Task.CompletedTask;
            });
        }

        return SendStoredFile(context, record, file, path.FileName, attachment: false, framedBySite: false);
    }

    /// <summary>The file's thumbnail (XEP-0385): a JPEG made when it was processed, or 404 when it has none.</summary>
    private static IResult SendThumbnail(HttpContext context, FileRecord record)
    {
        var thumbnails = context.RequestServices.GetRequiredService<Engine.Thumbnails.ThumbnailStore>();
        if (!record.HasThumbnail || !StoragePath.TryCreate(record.StoredPath, out var stored, out _) || thumbnails.Find(stored) is not { } thumbnail)
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "no-thumbnail", "No thumbnail",
                "this file has no thumbnail: it is not an image, it is too large, or it is still being processed");
        }

        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "private, max-age=86400";
        var etag = record.Sha256 is { Length: >= 32 } sha ? new EntityTagHeaderValue($"\"t{sha[..32]}\"") : null;
        return new StoredFileResult(Results.File(thumbnail.FullName, Engine.Thumbnails.ThumbnailStore.ContentType, lastModified: record.Created, entityTag: etag, enableRangeProcessing: true));
    }

    /// <summary>
    /// Answers with a stored file: ranges and conditional requests, and headers that keep a
    /// browser from running it (nosniff, a sandboxing CSP, inline only for types that cannot script).
    /// </summary>
    /// <param name="framedBySite">Whether this site's own pages may show it in a frame (a share page's text preview).</param>
    public static IResult SendStoredFile(HttpContext context, FileRecord record, FileInfo file, string fileName, bool attachment, bool framedBySite)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = framedBySite ? "default-src 'none'; frame-ancestors 'self'; sandbox" : "default-src 'none'; frame-ancestors 'none'; sandbox";
        headers.CacheControl = "private, max-age=86400";
        var disposition = new ContentDispositionHeaderValue(!attachment && ContentTypes.IsSafeInline(record.ContentType) ? "inline" : "attachment");
        disposition.SetHttpFileName(fileName);
        headers.ContentDisposition = disposition.ToString();

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>() is { } body)
        {
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>(new FileBodySender(body));
        }

        var etag = record.Sha256 is { Length: >= 32 } sha ? new EntityTagHeaderValue($"\"{sha[..32]}\"") : null;
        return new StoredFileResult(Results.File(file.FullName, record.ContentType, lastModified: record.Created, entityTag: etag, enableRangeProcessing: true));
    }
}
