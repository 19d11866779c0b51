using HmacPortal.Engine.Dedup;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Processing;

/// <summary>
/// The work owed to every stored file after its upload: deduplication and a thumbnail, then the
/// outcome recorded on the file. Idempotent, and safe to run twice at once for the same file (the second run waits
/// for the first, then finds the work done): the queue, the job server and the catch-up job may
/// all reach the same file.
/// </summary>
public sealed class FileProcessor(
    IMetadataStore metadata,
    DedupStore dedup,
    Thumbnails.ThumbnailStore thumbnails,
    TimeProvider clock,
    ILogger<FileProcessor> logger) : IFileProcessor, IDisposable
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Processes <paramref name="path"/>; false when there was nothing to do (no such file, or done already).</summary>
    public async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(path) % _stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (record is null || record.Processed is not null || !StoragePath.TryCreate(record.StoredPath, out var stored, out _))
            {
                return false;
            }

            var shared = dedup.Add(stored, record.Sha256, record.Size);
            if (shared == DedupOutcome.Gone)
            {
                return false;
            }

            var thumbnail = thumbnails.Make(stored, record.ContentType, cancellationToken);
            var recorded = await metadata.SetProcessedAsync(
                path,
                new ProcessingState(clock.GetUtcNow(), record.Scan, shared is DedupOutcome.Stored or DedupOutcome.Deduplicated, thumbnail),
                CancellationToken.None).ConfigureAwait(false);
            if (!recorded)
            {
                // Deleted while it was processed: what was made for it goes too.
                thumbnails.Delete(stored);
                return false;
            }

            ProcessingLog.Processed(logger, path, shared, thumbnail);
            return true;
        }
        finally
        {
            stripe.Release();
        }
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }
}
