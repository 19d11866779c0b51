using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Resumable;

/// <summary>The tus 1.0.0 endpoint under <c>[uploads] resumable_path</c>.</summary>
internal static class TusEndpoints
{
    private const string Methods = "POST, HEAD, PATCH, DELETE, OPTIONS";
    private const string AllowedHeaders = "Authorization, Content-Type, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Defer-Length, "
        + "Upload-Checksum, Upload-Concat, Tus-Resumable, X-HTTP-Method-Override, X-Requested-With";
    private const string ExposedHeaders = "Location, Upload-Offset, Upload-Length, Upload-Metadata, Upload-Defer-Length, Upload-Expires, Upload-Concat, "
        + "Upload-File-Url, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm";

    /// <summary>Header naming the finished file's GET URL, on the PATCH that completes it and on later HEADs.</summary>
    public const string FileUrlHeader = "Upload-File-Url";

    public static IServiceCollection AddResumableUploads(this IServiceCollection services)
    {
        services.AddSingleton<SessionStore>();
        services.AddSingleton<UploadWriters>();
        services.AddSingleton<RunningHashes>();
        services.AddSingleton(_ => new SessionFlushes());
        services.AddSingleton<SessionCommitter>();
        services.AddSingleton<TusService>();
        services.AddSingleton<ChunkedUploadService>();
        services.AddSingleton<HmacPortal.Engine.Quotas.QuotaLedger>();
        services.AddSingleton<HmacPortal.Engine.Quotas.QuotaPolicy>();
        services.AddSingleton<HmacPortal.Engine.Portal.PortalUploads>();
        return services;
    }

    /// <summary>Lets clients that cannot send PATCH or DELETE tunnel them through POST (before routing).</summary>
    public static WebApplication UseTusMethodOverride(this WebApplication app, string path)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method)
                && context.Request.Path.StartsWithSegments(path.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
                && context.Request.Headers["X-HTTP-Method-Override"].ToString() is { Length: > 0 } method
                && (HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || HttpMethods.IsHead(method)))
            {
                context.Request.Method = method.ToUpperInvariant();
            }

            return next(context);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapTusEndpoints(this IEndpointRouteBuilder endpoints, string path)
    {
        var group = endpoints.MapGroup(path.TrimEnd('/')).AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var tus = context.RequestServices.GetRequiredService<TusService>();
            if (!tus.Enabled)
            {
                return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "resumable uploads are not enabled");
            }

            CorsHeaders.Apply(context, context.RequestServices.GetRequiredService<IOptionsMonitor<CorsOptions>>().CurrentValue, ExposedHeaders);
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                return await next(invocation);
            }

            if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method))
            {
                CountUpload(context);
            }

            context.Response.Headers["Tus-Resumable"] = TusService.Version;
            if (context.Request.Headers["Tus-Resumable"].ToString() != TusService.Version)
            {
                context.Response.Headers["Tus-Version"] = TusService.Version;
                return HttpOutcomes.Problem(StatusCodes.Status412PreconditionFailed, "tus-version", "Unsupported tus version", $"this server speaks tus {TusService.Version}");
            }

            return await next(invocation);
        });

        group.MapMethods("/", [HttpMethods.Options], Options);
        group.MapMethods("/{id}", [HttpMethods.Options], Options);
        group.MapPost("/", CreateAsync).RequireRateLimiting(HmacPortal.Hosting.RateLimitSetup.UploadPolicy);
        group.MapMethods("/{id}", [HttpMethods.Head], Head);
        group.MapPatch("/{id}", PatchAsync).RequireRateLimiting(HmacPortal.Hosting.RateLimitSetup.UploadPolicy);
        group.MapDelete("/{id}", DeleteAsync);
        return endpoints;
    }

    private static IResult Options(HttpContext context, TusService tus, IOptionsMonitor<CorsOptions> cors)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = TusService.Version;
        headers["Tus-Extension"] = TusService.Extensions;
        headers["Tus-Max-Size"] = tus.MaxSize.ToString(CultureInfo.InvariantCulture);
        headers["Tus-Checksum-Algorithm"] = string.Join(',', TusChecksum.Algorithms);
        return CorsHeaders.Preflight(context, cors.CurrentValue, Methods, AllowedHeaders);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, TusService tus, IOptionsMonitor<ServerOptions> server)
    {
        var headers = context.Request.Headers;
        var created = await tus.CreateAsync(new TusCreateRequest(
            Header(headers, "Upload-Length"),
            Header(headers, "Upload-Defer-Length"),
            Header(headers, "Upload-Metadata"),
            RequestCredentials.BearerToken(context.Request),
            context.Connection.RemoteIpAddress?.ToString(),
            Header(headers, "Upload-Concat")));
        if (created is not { Result: TusResult.Created, Session: { } session })
        {
            if (created.Result == TusResult.QuotaExceeded)
            {
                context.RequestServices.GetRequiredService<Metrics.ServerMetrics>().QuotaRefusals.Inc();
                context.RequestServices.GetRequiredService<Engine.Audit.AuditTrail>().Note(
                    "quota.refused", "client", context.Connection.RemoteIpAddress?.ToString(), context.Request.Path.Value ?? string.Empty, created.Detail);
            }

            return HttpOutcomes.ToResult(created);
        }

        var id = UploadId.TryParse(session.Id, out var parsed) ? parsed : throw new InvalidOperationException("a new session has a malformed id");
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{session.Id}";

        // creation-with-upload: a body in the POST is the first PATCH.
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var written = await tus.PatchAsync(id, new TusPatchRequest("0", context.Request.ContentType, Header(headers, "Upload-Checksum"), null), context.Request.BodyReader, context.RequestAborted);
            session = written.Session ?? session;
        }

        Describe(context, session, server.CurrentValue);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> Head(HttpContext context, string id, TusService tus, IOptionsMonitor<ServerOptions> server)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!UploadId.TryParse(id, out var uploadId))
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "No such upload", "there is no such upload");
        }

        var outcome = await tus.HeadAsync(uploadId, context.RequestAborted);
        if (outcome is not { Result: TusResult.Found, Session: { } session })
        {
            return HttpOutcomes.ToResult(outcome);
        }

        Describe(context, session, server.CurrentValue);
        if (session.RawMetadata is { Length: > 0 } metadata)
        {
            context.Response.Headers["Upload-Metadata"] = metadata;
        }

        return Results.Ok();
    }

    private static async Task<IResult> PatchAsync(HttpContext context, string id, TusService tus, IOptionsMonitor<ServerOptions> server)
    {
        if (!UploadId.TryParse(id, out var uploadId))
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "No such upload", "there is no such upload");
        }

        var headers = context.Request.Headers;
        var outcome = await tus.PatchAsync(
            uploadId,
            new TusPatchRequest(Header(headers, "Upload-Offset"), context.Request.ContentType, Header(headers, "Upload-Checksum"), Header(headers, "Upload-Length")),
            context.Request.BodyReader,
            context.RequestAborted);
        if (outcome is not { Result: TusResult.Written, Session: { } session })
        {
            return HttpOutcomes.ToResult(outcome);
        }

        Describe(context, session, server.CurrentValue);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string id, TusService tus, CancellationToken cancellationToken)
    {
        if (!UploadId.TryParse(id, out var uploadId))
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "No such upload", "there is no such upload");
        }

        var outcome = await tus.TerminateAsync(uploadId, cancellationToken);
        return outcome.Result == TusResult.Terminated ? Results.NoContent() : HttpOutcomes.ToResult(outcome);
    }

    private const string CompletedItem = "tus.completed";

    /// <summary>uploads_total counts a resumable upload once, when the request that completes it ends; errors count per request.</summary>
    private static void CountUpload(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<Metrics.ServerMetrics>();
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        context.Response.OnCompleted(() =>
        {
            if (context.Items[CompletedItem] is UploadSession session)
            {
                metrics.UploadStored("tus", session.Length ?? 0, clock.GetUtcNow() - session.Created);
            }
            else if (context.Response.StatusCode >= 400)
            {
                metrics.UploadFailed("tus", context.Response.StatusCode);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>The headers that say where an upload stands.</summary>
    private static void Describe(HttpContext context, UploadSession session, ServerOptions server)
    {
        var headers = context.Response.Headers;
        headers["Upload-Offset"] = session.Offset.ToString(CultureInfo.InvariantCulture);
        if (session.Length is { } length)
        {
            headers["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            headers["Upload-Defer-Length"] = "1";
        }

        headers["Upload-Expires"] = session.Expires.ToString("r", CultureInfo.InvariantCulture);
        if (session.IsPartial)
        {
            headers["Upload-Concat"] = "partial";
        }
        else if (session.Concat is { } concat)
        {
            headers["Upload-Concat"] = concat;
        }

        if (FileUrl(session, server) is { } url)
        {
            headers[FileUrlHeader] = url;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                context.Items[CompletedItem] = session;
            }
        }
    }

    /// <summary>
    /// The finished file's GET URL (path only) once a session-based upload (tus or the chunked API) is
    /// committed; a finished part is not a file, so it has none.
    /// </summary>
    public static string? FileUrl(UploadSession session, ServerOptions server) =>
        session.Completed && !session.IsPartial && StoragePath.TryCreate(session.TargetPath, out var target, out _)
            ? server.UploadPrefix + string.Join('/', target.Segments.Select(Uri.EscapeDataString))
            : null;

    private static string? Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
