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
    TimeProvider clock)
{
    public async Task<DownloadOutcome> FindAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var allowed = downloads.CurrentValue.AllowedExtensions;
        if (allowed.Count > 0 && !allowed.Any(suffix => path.FileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
        {
            return new DownloadOutcome(DownloadResult.NotAllowed);
        }

        var record = await metadata.GetAsync(path.Value, cancellationToken).ConfigureAwait(false);
        if (record is null || !StoragePath.TryCreate(record.StoredPath, out var stored, out _))
        {
            return new DownloadOutcome(DownloadResult.NotFound);
        }

        if (record.Scan?.StartsWith("infected", StringComparison.Ordinal) == true)
        {
            return new DownloadOutcome(DownloadResult.Quarantined, record);
        }

        var file = files.Find(stored);
        return file is null ? new DownloadOutcome(DownloadResult.NotFound) : new DownloadOutcome(DownloadResult.Found, record, file);
    }

    /// <summary>Counts a download that was served (not a HEAD, not a 304).</summary>
    public void Count(FileRecord record) => counter.Count(record.Path, clock.GetUtcNow());
}
