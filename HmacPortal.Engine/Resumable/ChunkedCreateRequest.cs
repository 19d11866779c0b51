using HmacPortal.Engine.Signing;

namespace HmacPortal.Engine.Resumable;

/// <summary>A request of the chunked API that opens a session (no <c>X-Upload-Session-ID</c>), as read from its headers.</summary>
public sealed record ChunkedCreateRequest(
    string? FileName,
    string? TotalSize,
    string? ContentType,
    UploadCredentials Credentials,
    string? ClientAddress,
    long? BodyLength);
