using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Processing;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Post-processes every file whose record says it is still owed and that is older than a minute
/// (younger ones are still in the queue): files left when the server stopped or crashed, files
/// whose processing failed, and files stored before processing existed. Idempotent.
/// </summary>
public sealed class CatchUpJob(IMetadataStore metadata, FileProcessor processor, FileStore files, TimeProvider clock, ILogger<CatchUpJob> logger)
{
    /// <summary>Files younger than this are left to the queue.</summary>
    public static readonly TimeSpan QueueGrace = TimeSpan.FromMinutes(1);

    private const int Batch = 200;

    /// <summary>The most files one run takes on; the next run goes on.</summary>
    private const int MostPerRun = 10_000;

    /// <summary>
    /// Processes what is owed; throws <see cref="StorageUnavailableException"/> while the storage is
    /// unavailable, before trying (and logging a failure for) every file in turn.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        files.EnsureAvailable();
        var before = clock.GetUtcNow() - QueueGrace;
        string? after = null;
        var tried = 0;
        var processed = 0;
        while (tried < MostPerRun)
        {
            // Paged by path, so files whose processing keeps failing never hold up the rest.
            var paths = await metadata.ListUnprocessedAsync(before, after, Batch, cancellationToken).ConfigureAwait(false);
            foreach (var path in paths)
            {
                try
                {
                    processed += await processor.ProcessAsync(path, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ProcessingLog.Failed(logger, path, ex);
                }
            }

            tried += paths.Count;
            if (paths.Count < Batch)
            {
                break;
            }

            after = paths[^1];
        }

        if (processed > 0)
        {
            ProcessingLog.CaughtUp(logger, processed);
        }

        return processed;
    }
}
