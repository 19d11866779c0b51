using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Uploads;

namespace HmacPortal.Endpoints;

/// <summary>
/// The one place where Engine outcomes become HTTP answers: a status code and, for anything but
/// success, an RFC 9457 problem body. Clients never see exception text or paths on disk.
/// </summary>
internal static class HttpOutcomes
{
    public static IResult ToResult(UploadOutcome outcome) => outcome.Result switch
    {
        // Conversations accepts only 200/201 with no particular body.
        UploadResult.Stored => Results.StatusCode(StatusCodes.Status201Created),
        UploadResult.Exists => Problem(StatusCodes.Status409Conflict, "exists", "File exists", outcome.Detail),
        UploadResult.BadPath => Problem(StatusCodes.Status400BadRequest, "bad-path", "Bad path", outcome.Detail),
        UploadResult.LengthRequired => Problem(StatusCodes.Status411LengthRequired, "length-required", "Length required", outcome.Detail),
        UploadResult.Forbidden => Problem(StatusCodes.Status403Forbidden, "bad-signature", "Not signed for this upload", outcome.Detail),
        UploadResult.Unauthorized => new BearerChallenge(Problem(StatusCodes.Status401Unauthorized, "bad-token", "Invalid upload token", outcome.Detail)),
        UploadResult.TokenExpired => Problem(StatusCodes.Status410Gone, "token-expired", "Upload token expired", outcome.Detail),
        UploadResult.TokenPathMismatch => Problem(StatusCodes.Status400BadRequest, "token-path-mismatch", "Path does not match the token", outcome.Detail),
        UploadResult.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "too-large", "File too large", outcome.Detail),
        UploadResult.QuotaExceeded => Problem(StatusCodes.Status413PayloadTooLarge, "quota-exceeded", "Quota exceeded", outcome.Detail),
        UploadResult.ExtensionNotAllowed => Problem(StatusCodes.Status415UnsupportedMediaType, "extension-not-allowed", "File type not accepted", outcome.Detail),
        UploadResult.LengthMismatch => Problem(StatusCodes.Status400BadRequest, "length-mismatch", "Body length differs from Content-Length", outcome.Detail),
        UploadResult.InsufficientStorage => Problem(StatusCodes.Status507InsufficientStorage, "insufficient-storage", "Not enough storage", outcome.Detail),
        UploadResult.Banned => Problem(StatusCodes.Status403Forbidden, "banned", "Address banned", outcome.Detail),
        UploadResult.ClientGone => Problem(StatusCodes.Status400BadRequest, "interrupted", "Upload interrupted", outcome.Detail),
        UploadResult.TypeNotAccepted => Problem(StatusCodes.Status415UnsupportedMediaType, "type-not-accepted", "Content type not accepted", outcome.Detail),
        UploadResult.Unavailable => new RetryAfter(Engine.Scanning.VirusScanner.BreakDuration, Problem(StatusCodes.Status503ServiceUnavailable, "scanner-unavailable", "Virus scanning unavailable", outcome.Detail)),
        UploadResult.RateLimited => RateLimited(outcome.Wait, outcome.Detail),
        UploadResult.DatabaseUnavailable => DatabaseUnavailable(outcome.Wait, outcome.Detail),
        _ => Problem(StatusCodes.Status500InternalServerError, "internal", "Internal error", "the server could not handle this upload"),
    };

    /// <summary>The status of a tus outcome that is not a success; successes are answered by the tus endpoints.</summary>
    public static IResult ToResult(TusOutcome outcome) => outcome.Result switch
    {
        TusResult.NotFound => Problem(StatusCodes.Status404NotFound, "not-found", "No such upload", outcome.Detail),
        TusResult.Gone => Problem(StatusCodes.Status410Gone, "expired", "Upload expired", outcome.Detail),
        TusResult.OffsetMismatch => Problem(StatusCodes.Status409Conflict, "offset-mismatch", "Wrong offset", outcome.Detail),
        TusResult.WrongContentType => Problem(StatusCodes.Status415UnsupportedMediaType, "content-type", "Wrong content type", outcome.Detail),
        TusResult.ChecksumMismatch => Problem(ChecksumMismatchStatus, "checksum-mismatch", "Checksum mismatch", outcome.Detail),
        TusResult.BadRequest => Problem(StatusCodes.Status400BadRequest, "bad-request", "Bad request", outcome.Detail),
        TusResult.Unauthorized => new BearerChallenge(Problem(StatusCodes.Status401Unauthorized, "bad-token", "Upload token required", outcome.Detail)),
        TusResult.Forbidden => Problem(StatusCodes.Status403Forbidden, "forbidden", "Not allowed", outcome.Detail),
        TusResult.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "too-large", "File too large", outcome.Detail),
        TusResult.QuotaExceeded => Problem(StatusCodes.Status413PayloadTooLarge, "quota-exceeded", "Quota exceeded", outcome.Detail),
        TusResult.ExtensionNotAllowed => Problem(StatusCodes.Status415UnsupportedMediaType, "extension-not-allowed", "File type not accepted", outcome.Detail),
        TusResult.Exists => Problem(StatusCodes.Status409Conflict, "exists", "File exists", outcome.Detail),
        TusResult.InsufficientStorage => Problem(StatusCodes.Status507InsufficientStorage, "insufficient-storage", "Not enough storage", outcome.Detail),
        TusResult.Interrupted => Problem(StatusCodes.Status400BadRequest, "interrupted", "Upload interrupted", outcome.Detail),
        TusResult.TypeNotAccepted => Problem(StatusCodes.Status415UnsupportedMediaType, "type-not-accepted", "Content type not accepted", outcome.Detail),
        TusResult.Unavailable => new RetryAfter(Engine.Scanning.VirusScanner.BreakDuration, Problem(StatusCodes.Status503ServiceUnavailable, "scanner-unavailable", "Virus scanning unavailable", outcome.Detail)),
        TusResult.RateLimited => RateLimited(outcome.Wait, outcome.Detail),
        TusResult.DatabaseUnavailable => DatabaseUnavailable(outcome.Wait, outcome.Detail),
        TusResult.LengthRequired => Problem(StatusCodes.Status411LengthRequired, "length-required", "Length required", outcome.Detail),
        _ => Problem(StatusCodes.Status500InternalServerError, "internal", "Internal error", "the server could not handle this request"),
    };

    /// <summary>tus's status for a chunk whose checksum does not match.</summary>
    public const int ChecksumMismatchStatus = 460;

    public static IResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"urn:hmacportal:problem:{type}");

    /// <summary>429 with Retry-After for an owner over <c>[rate_limit]</c>, counted with the per-address refusals.</summary>
    private static IResult RateLimited(TimeSpan? wait, string detail) =>
        new RetryAfter(wait ?? TimeSpan.FromSeconds(1), Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests", detail), countRateLimited: true);

    /// <summary>503 for a storage directory that is not there; the detail does not name the path.</summary>
    public static IResult StorageUnavailable() =>
        new RetryAfter(TimeSpan.FromSeconds(30), Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable", "the storage directory is not available; try again later"));

    /// <summary>503 with Retry-After while the database is unreachable.</summary>
    public static IResult DatabaseUnavailable(TimeSpan? wait, string detail) =>
        new RetryAfter(wait ?? TimeSpan.FromSeconds(5), Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "Database unavailable", detail));

    /// <summary>Tells the client when to try again (whole seconds, at least one).</summary>
    private sealed class RetryAfter(TimeSpan wait, IResult inner, bool countRateLimited = false) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (countRateLimited)
            {
                httpContext.RequestServices.GetRequiredService<Metrics.ServerMetrics>().RateLimited.Inc();
            }

            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>Adds <c>WWW-Authenticate: Bearer</c> to a 401, as RFC 6750 asks.</summary>
    private sealed class BearerChallenge(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
