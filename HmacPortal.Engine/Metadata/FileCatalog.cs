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
        audit?.Record("file.deleted", deletedBy, null, path, $"{record.Size} bytes, owner {record.Owner ?? "none"}");
        return true;
    }
}
