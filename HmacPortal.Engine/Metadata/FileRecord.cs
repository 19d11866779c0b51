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
    DateTimeOffset? LastDownload = null)
{
    /// <summary>When post-processing finished; null while it is still to do.</summary>
    public DateTimeOffset? Processed { get; init; }

    /// <summary>What the virus scan found: null (not scanned), <c>clean</c>, <c>infected: name</c> or <c>unscanned: reason</c>.</summary>
    public string? Scan { get; init; }

    /// <summary>Whether the file's bytes are shared with the content store.</summary>
    public bool Deduplicated { get; init; }

    /// <summary>Whether a thumbnail was made for it.</summary>
    public bool HasThumbnail { get; init; }
}
