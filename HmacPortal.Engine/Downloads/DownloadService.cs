using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Downloads;

/// <summary>
/// Finds what a GET may serve. Only committed files are served: a file must be both on disk (a
/// regular file inside storage_path) and recorded; temp files, internal files and anything outside
/// the root cannot even be named by a <see cref="StoragePath"/>.
/// </summary>
public sealed class DownloadService(
    FileStore files,
    IMetadataStore metadata,
    IOptionsMonitor<DownloadsOptions> downloads,
    DownloadCounter counter,
    TimeProvider clock,
    StorageLayout? layout = null)
{
    public async Task<DownloadOutcome> FindAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var allowed = downloads.CurrentValue.AllowedExtensions;
        if (allowed.Count > 0 && !allowed.Any(suffix => path.FileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
        {
            return new DownloadOutcome(DownloadResult.NotAllowed);
        }

        FileRecord? record;
        try
        {
            record = await metadata.GetAsync(path.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException) when (layout is not null)
        {
            return FromDiskAlone(path, layout);
        }

        if (record is null || !StoragePath.TryCreate(record.StoredPath, out var stored, out _))
        {
            return new DownloadOutcome(DownloadResult.NotFound);
        }

        if (record.Scan?.StartsWith("infected", StringComparison.Ordinal) == true)
        {
            return new DownloadOutcome(DownloadResult.Quarantined, record);
        }

        if (files.Find(stored) is not { } file)
        {
            // A recorded file that is not there: gone, or its volume is not mounted (then 503, not 404).
            files.EnsureAvailable();
            return new DownloadOutcome(DownloadResult.NotFound);
        }

        return new DownloadOutcome(DownloadResult.Found, record, file);
    }

    /// <summary>
    /// While the database is unreachable a committed file is served from the disk alone (only
    /// committed files are ever under storage_path), typed by its name. Its download is counted
    /// and written once the database is back.
    /// </summary>
    private DownloadOutcome FromDiskAlone(StoragePath path, StorageLayout storage)
    {
        var stored = storage.Locate(path);
        if (files.Find(stored) is not { } file)
        {
            return new DownloadOutcome(DownloadResult.NotFound);
        }

        var record = new FileRecord(path.Value, stored.Value, file.Length, ContentTypes.FromFileName(path.FileName), null, null, "unknown", null,
            new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), null);
        return new DownloadOutcome(DownloadResult.Found, record, file);
    }

    /// <summary>Counts a download that was served (not a HEAD, not a 304).</summary>
    public void Count(FileRecord record) => counter.Count(record.Path, clock.GetUtcNow());
}
