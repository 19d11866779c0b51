namespace HmacPortal.Engine.Metadata;

/// <summary>The record of every stored file. SQLite by default; other engines implement the same contract.</summary>
public interface IMetadataStore
{
    /// <summary>
    /// Creates or replaces the record of <see cref="FileRecord.Path"/> (with its <see cref="FileRecord.Processed"/>;
    /// the other processing outcomes start empty).
    /// </summary>
    Task RecordAsync(FileRecord record, CancellationToken cancellationToken);

    Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken);

    /// <summary>The total size of every stored file.</summary>
    Task<long> TotalSizeAsync(CancellationToken cancellationToken);

    /// <summary>The total size of <paramref name="owner"/>'s stored files.</summary>
    Task<long> UsedBytesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="take"/> paths of files whose expiry is at or before <paramref name="now"/>,
    /// or, when <paramref name="createdBefore"/> is given, that have no expiry and were uploaded before it.
    /// </summary>
    Task<IReadOnlyList<string>> ListExpiredAsync(DateTimeOffset now, DateTimeOffset? createdBefore, int take, CancellationToken cancellationToken);

    /// <summary>Sets or clears when a file expires (the expiry job deletes it then).</summary>
    Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes the records of <paramref name="paths"/> in one transaction; returns the paths whose record this deleted.</summary>
    Task<IReadOnlySet<string>> DeleteManyAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="take"/> paths, in order, after <paramref name="after"/> (null: from the start), of files not
    /// post-processed yet and recorded before <paramref name="createdBefore"/>.
    /// </summary>
    Task<IReadOnlyList<string>> ListUnprocessedAsync(DateTimeOffset createdBefore, string? after, int take, CancellationToken cancellationToken);

    /// <summary>Records the outcome of a file's post-processing; false when there is no such file (any more).</summary>
    Task<bool> SetProcessedAsync(string path, ProcessingState state, CancellationToken cancellationToken);

    /// <summary>Adds counted downloads to their records in one transaction.</summary>
    Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken);

    /// <summary>One page of records matching <paramref name="query"/>, ordered and counted by the database.</summary>
    Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Every record's path, stored path and size, and whether it was quarantined (its bytes moved away
    /// on purpose, so a missing file is expected), for reconciliation with the disk.
    /// </summary>
    IAsyncEnumerable<(string Path, string StoredPath, long Size, bool Quarantined)> ListPathsAsync(CancellationToken cancellationToken);
}
