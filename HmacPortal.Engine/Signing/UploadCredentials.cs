namespace HmacPortal.Engine.Signing;

/// <summary>The parts of a PUT request that can authorise it, as the client sent them.</summary>
public sealed record UploadCredentials(
    string? V = null,
    string? V2 = null,
    string? Token = null,
    string? V3 = null,
    string? Expires = null,
    string? BearerToken = null);
