namespace HmacPortal.Engine.Metadata;

/// <summary>What the server knows about one stored file.</summary>
/// <param name="Path">The path clients use (the signed path), e.g. <c>uuid/photo.jpg</c>.</param>
/// <param name="StoredPath">Where the bytes are under storage_path (differs from Path with file_naming = "HMAC").</param>
/// <param name="Protocol">How it arrived: v, v2, token, v3, jwt, or recovered (found on disk at start-up).</param>
public sealed record FileRecord(
    string Path,
    string StoredPath,
    long Size,
    string ContentType,
    string? Sha256,
    string? Owner,
    string Protocol,
    string? ClientAddress,
    DateTimeOffset Created,
    DateTimeOffset? Expires,
    long Downloads = 0,
    DateTimeOffset? LastDownload = null);
