using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Metadata;

/// <summary>The stored files as the admin console sees them: searched, paged, deleted.</summary>
public sealed class FileCatalog(
    IMetadataStore metadata, FileStore files, ILogger<FileCatalog> logger, Audit.AuditTrail? audit = null, Thumbnails.ThumbnailStore? thumbnails = null)
{
    public Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken) =>
        metadata.QueryAsync(query, cancellationToken);

    /// <summary>Sets or clears a file's expiry; false when there is no such file.</summary>
    public async Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, string by, CancellationToken cancellationToken)
    {
        var changed = await metadata.SetExpiryAsync(path, expires, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            audit?.Record("file.expiry", by, null, path, expires is { } e ? $"expires {e:u}" : "never expires");
        }

        return changed;
    }

    /// <summary>The total size of every stored file.</summary>
    public Task<long> TotalSizeAsync(CancellationToken cancellationToken) => metadata.TotalSizeAsync(cancellationToken);

    /// <summary>
    /// Deletes a file and its record, the file first: a crash between the two leaves a record without
    /// a file, which start-up reconciliation drops. Returns false when there was no such file.
    /// </summary>
    public async Task<bool> DeleteAsync(string path, string deletedBy, CancellationToken cancellationToken) =>
        (await DeleteManyAsync([path], deletedBy, cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>
    /// Deletes files and their records: every file first, then their records in one transaction, then
    /// their audit entries in one, so a job that deletes thousands keeps up; returns the records this
    /// call removed.
    /// </summary>
    public async Task<IReadOnlyList<FileRecord>> DeleteManyAsync(IReadOnlyCollection<string> paths, string deletedBy, CancellationToken cancellationToken)
    {
        // Records are not dropped for files that only seem gone because their volume is not mounted.
        files.EnsureAvailable();
        var records = new List<FileRecord>();
        foreach (var path in paths)
        {
            if (await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false) is { } record)
            {
                records.Add(record);
            }
        }

        if (records.Count == 0)
        {
            return records;
        }

        foreach (var record in records)
        {
            if (StoragePath.TryCreate(record.StoredPath, out var stored, out _))
            {
                files.Delete(stored);
                thumbnails?.Delete(stored);
            }
        }

        // Of two deleters at once, only the one whose transaction removed a record reports and audits it.
        var removed = await metadata.DeleteManyAsync(records.Select(r => r.Path).ToList(), CancellationToken.None).ConfigureAwait(false);
        records.RemoveAll(r => !removed.Contains(r.Path));
        foreach (var record in records)
        {
            MetadataLog.Deleted(logger, record.Path, deletedBy);
        }

        if (audit is not null)
        {
            await audit.RecordManyAsync("file.deleted", deletedBy, records.Select(r => (r.Path, $"{r.Size} bytes, owner {r.Owner ?? "none"}")).ToList(), CancellationToken.None).ConfigureAwait(false);
        }

        return records;
    }
}
