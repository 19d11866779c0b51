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
    public async Task<bool> DeleteAsync(string path, string deletedBy, CancellationToken cancellationToken)
    {
        var record = await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        if (StoragePath.TryCreate(record.StoredPath, out var stored, out _))
        {
            files.Delete(stored);
            thumbnails?.Delete(stored);
        }

        await metadata.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
        MetadataLog.Deleted(logger, path, deletedBy);
        audit?.Record("file.deleted", deletedBy, null, path, Describe(record));
        return true;
    }

    /// <summary>
    /// Deletes many files as <see cref="DeleteAsync"/> deletes one (every file first, then their records
    /// in one transaction, then their audit entries in one), for jobs that delete thousands; returns
    /// the records this call removed.
    /// </summary>
    public async Task<IReadOnlyList<FileRecord>> DeleteManyAsync(IReadOnlyCollection<string> paths, string deletedBy, CancellationToken cancellationToken)
    {
        var records = new List<FileRecord>();
        foreach (var path in paths)
        {
            if (await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false) is { } record)
            {
                records.Add(record);
            }
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
            await audit.RecordManyAsync("file.deleted", deletedBy, records.Select(r => (r.Path, Describe(r))).ToList(), CancellationToken.None).ConfigureAwait(false);
        }

        return records;
    }

    private static string Describe(FileRecord record) => $"{record.Size} bytes, owner {record.Owner ?? "none"}";
}
