namespace HmacPortal.Engine.Resumable;

/// <summary>A creation request (POST) as read from its headers.</summary>
public sealed record TusCreateRequest(
    string? UploadLength,
    string? UploadDeferLength,
    string? UploadMetadata,
    string? BearerToken,
    string? ClientAddress,
    string? UploadConcat = null);
