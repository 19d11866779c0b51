using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Deletes files past their own expiry (a JWT's <c>expires</c>) or, with <c>filettlenabled</c>, older
/// than <c>filettl</c>, a batch at a time: the files first, then their records and audit entries in
/// one transaction each (as every delete does, file before record), then the directories left
/// empty. Running it twice, even at once, deletes each file once and leaves the same result.
/// </summary>
public sealed class ExpiryJob(IMetadataStore metadata, FileCatalog catalog, FileStore files, IOptionsMonitor<ServerOptions> server, TimeProvider clock, ILogger<ExpiryJob> logger)
{
    private const int Batch = 500;

    /// <summary>
    /// Deletes what has expired. While the storage is unavailable the catalog refuses the first batch
    /// (<see cref="StorageUnavailableException"/>) before it deletes anything.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var options = server.CurrentValue;
        var now = clock.GetUtcNow();
        DateTimeOffset? createdBefore = options.FileTtlEnabled ? now - options.FileTtl : null;
        var deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = await metadata.ListExpiredAsync(now, createdBefore, Batch, cancellationToken).ConfigureAwait(false);
            var gone = await catalog.DeleteManyAsync(expired, "expiry", cancellationToken).ConfigureAwait(false);
            foreach (var record in gone)
            {
                if (StoragePath.TryCreate(record.StoredPath, out var stored, out _))
                {
                    files.PruneEmptyDirectories(stored);
                }
            }

            var progress = gone.Count;
            deleted += progress;
            if (expired.Count < Batch || progress == 0)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            JobsLog.Expired(logger, deleted);
        }

        return deleted;
    }
}
