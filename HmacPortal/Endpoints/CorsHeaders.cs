using System.Globalization;
using HmacPortal.Engine.Configuration;

namespace HmacPortal.Endpoints;

/// <summary>
/// CORS for the upload and download URLs, from <c>[cors]</c> read live. Headers are set, never
/// appended, so each appears exactly once (web clients break on a doubled Allow-Origin).
/// </summary>
internal static class CorsHeaders
{
    public const string Methods = "GET, HEAD, PUT, OPTIONS";
    private const string DefaultAllowedHeaders = "Authorization, Content-Type, Range, Expect";
    private const string ExposedHeaders = "Content-Length, Content-Range, Content-Type, Content-Disposition, ETag, Last-Modified, Accept-Ranges";

    /// <summary>Adds the headers of an actual (non-preflight) cross-origin request.</summary>
    public static void Apply(HttpContext context, CorsOptions options) => Apply(context, options, ExposedHeaders);

    /// <summary>As <see cref="Apply(HttpContext, CorsOptions)"/>, exposing <paramref name="exposed"/> to scripts.</summary>
    public static void Apply(HttpContext context, CorsOptions options, string exposed)
    {
        if (AllowedOrigin(context, options) is not { } origin)
        {
            return;
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlExposeHeaders = exposed;
        if (origin != "*")
        {
            headers.Vary = "Origin";
        }
    }

    /// <summary>Answers a preflight: 204, no authentication needed.</summary>
    public static IResult Preflight(HttpContext context, CorsOptions options) => Preflight(context, options, Methods, DefaultAllowedHeaders);

    /// <summary>As <see cref="Preflight(HttpContext, CorsOptions)"/> for other methods and headers.</summary>
    public static IResult Preflight(HttpContext context, CorsOptions options, string methods, string allowedHeaders)
    {
        var headers = context.Response.Headers;
        headers.Allow = methods;
        if (AllowedOrigin(context, options) is { } origin)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowMethods = methods;
            var requested = context.Request.Headers.AccessControlRequestHeaders.ToString();
            headers.AccessControlAllowHeaders = string.IsNullOrWhiteSpace(requested) ? allowedHeaders : requested;
            headers.AccessControlMaxAge = ((long)options.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (origin != "*")
            {
                headers.Vary = "Origin";
            }
        }

        return Results.NoContent();
    }

    private static string? AllowedOrigin(HttpContext context, CorsOptions options)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return null;
        }

        if (options.AllowedOrigins.Count == 0 || options.AllowedOrigins.Contains("*"))
        {
            return "*";
        }

        return options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase) ? origin : null;
    }
}
