namespace HmacPortal.Engine.Resumable;

/// <summary>
/// The state of one resumable upload. <see cref="Offset"/> only ever names bytes already written to
/// the data file, and in the flushed sidecar only bytes already flushed to disk, so after a crash
/// the client resumes from bytes that exist (see <see cref="SessionStore"/>).
/// </summary>
public sealed record UploadSession
{
    public required string Id { get; init; }

    /// <summary>Total length, or null while it is deferred.</summary>
    public long? Length { get; init; }

    public long Offset { get; init; }

    /// <summary>The offset up to which the data file was flushed when the sidecar was last saved.</summary>
    public long FlushedOffset { get; init; }

    /// <summary>Counts every save, so the newer of the sidecar and a progress record is known.</summary>
    public long Revision { get; init; }

    /// <summary>The Upload-Metadata pairs, decoded.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>The raw Upload-Metadata header, echoed back on HEAD.</summary>
    public string? RawMetadata { get; init; }

    /// <summary>Where the finished file will be stored (the path clients GET).</summary>
    public required string TargetPath { get; init; }

    public string? Owner { get; init; }

    /// <summary>The type the finished file is served with.</summary>
    public required string ContentType { get; init; }

    public string? ClientAddress { get; init; }

    /// <summary>The largest length the grant allows (its filesize, or max_upload_size).</summary>
    public long MaxLength { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset Expires { get; init; }

    /// <summary>Expiry of the finished file (JWT <c>expires</c>), if any.</summary>
    public DateTimeOffset? FileExpires { get; init; }

    /// <summary>A part of a parallel upload (<c>Upload-Concat: partial</c>): never committed on its own.</summary>
    public bool IsPartial { get; init; }

    /// <summary>For a final upload, the raw <c>Upload-Concat</c> value it was created with.</summary>
    public string? Concat { get; init; }

    /// <summary>Set once the file has been committed to storage (or, for a partial, once it is whole).</summary>
    public bool Completed { get; init; }

    /// <summary>For an upload through the chunked API, the size of every chunk but the last; null for tus.</summary>
    public long? ChunkSize { get; init; }

    /// <summary>For the chunked API, one bit per chunk (chunk n is bit n % 8 of byte n / 8), set once the chunk is on disk.</summary>
    public byte[]? ChunkMap { get; init; }

    /// <summary>For the chunked API, how often each chunk that failed has failed so far.</summary>
    public IReadOnlyDictionary<int, int>? ChunkFailures { get; init; }

    /// <summary>Whether the upload came through the chunked API (tus requests leave it alone).</summary>
    public bool IsChunked => ChunkSize is not null;

    public bool IsComplete => Length is { } length && Offset == length;
}
