using HmacPortal.Engine.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace HmacPortal.Endpoints;

/// <summary>
/// Reads the path after a route prefix from the request target exactly as the client sent it, so
/// that it is percent-decoded once, by <see cref="StoragePath.TryParseEncoded"/>, and never twice
/// (the server's own decoding keeps <c>%2F</c> and would make <c>%252F</c> ambiguous).
/// </summary>
internal static class RequestPaths
{
    public static bool TryGet(HttpContext context, string prefix, out StoragePath path, out string error)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            raw = context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }

        if (!raw.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            path = null!;
            error = "the path does not start with the route prefix";
            return false;
        }

        return StoragePath.TryParseEncoded(raw[prefix.Length..], out path, out error);
    }
}
