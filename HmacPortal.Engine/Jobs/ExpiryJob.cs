using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Deletes files past their own expiry (a JWT's <c>expires</c>) or, with <c>filettlenabled</c>, older
/// than <c>filettl</c>: file first, then record (as every delete does), then the directories left
/// empty. Running it twice, even at once, deletes each file once and leaves the same result.
/// </summary>
public sealed class ExpiryJob(IMetadataStore metadata, FileCatalog catalog, FileStore files, IOptionsMonitor<ServerOptions> server, TimeProvider clock, ILogger<ExpiryJob> logger)
{
    private const int Batch = 500;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var options = server.CurrentValue;
        var now = clock.GetUtcNow();
        DateTimeOffset? createdBefore = options.FileTtlEnabled ? now - options.FileTtl : null;
        var deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var expired = await metadata.ListExpiredAsync(now, createdBefore, Batch, cancellationToken).ConfigureAwait(false);
            var progress = 0;
            foreach (var path in expired)
            {
                var record = await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false);
                if (await catalog.DeleteAsync(path, "expiry", cancellationToken).ConfigureAwait(false))
                {
                    progress++;
                    if (record is not null && StoragePath.TryCreate(record.StoredPath, out var stored, out _))
                    {
                        files.PruneEmptyDirectories(stored);
                    }
                }
            }

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
