using HmacPortal.Engine.Signing;

namespace HmacPortal.Endpoints;

/// <summary>What in a request can sign an upload: the MAC query parameters and a bearer token.</summary>
internal static class RequestCredentials
{
    public static UploadCredentials From(HttpRequest request)
    {
        var query = request.Query;
        return new UploadCredentials(
            V: query["v"].FirstOrDefault(),
            V2: query["v2"].FirstOrDefault(),
            Token: query["token"].FirstOrDefault(),
            V3: query["v3"].FirstOrDefault(),
            Expires: query["expires"].FirstOrDefault(),
            BearerToken: BearerToken(request));
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, if there is one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The scheme's name for metrics and logs.</summary>
    public static string Protocol(UploadCredentials credentials) =>
        credentials.Token is not null ? "token" : credentials.V2 is not null ? "v2" : credentials.V is not null ? "v"
            : credentials.V3 is not null ? "v3" : credentials.BearerToken is not null ? "jwt" : "none";
}
