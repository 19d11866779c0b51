namespace HmacPortal.Engine.Resumable;

/// <summary>A PATCH (or the body of a creation-with-upload) as read from its headers.</summary>
public sealed record TusPatchRequest(
    string? UploadOffset,
    string? ContentType,
    string? UploadChecksum,
    string? UploadLength);
