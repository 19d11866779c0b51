using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;

namespace HmacPortal.Engine.Uploads;

/// <summary>A PUT as the receiver sees it, read once from the HTTP request.</summary>
public sealed record UploadRequest(
    StoragePath Path,
    long? ContentLength,
    string? ContentType,
    UploadCredentials Credentials,
    string? ClientAddress);
