using HmacPortal.Engine.Dedup;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Processing;

/// <summary>
/// The work owed to every stored file after its upload: a virus scan (an infected file is
/// quarantined and nothing else is done to it), deduplication and a thumbnail, then the outcome
/// recorded on the file. A file clamd could not scan is left owed, so it is scanned later. Idempotent, and safe to run twice at once for the same file (the second run waits
/// for the first, then finds the work done): the queue, the job server and the catch-up job may
/// all reach the same file.
/// </summary>
public sealed class FileProcessor(
    IMetadataStore metadata,
    DedupStore dedup,
    Thumbnails.ThumbnailStore thumbnails,
    Scanning.VirusScanner scanner,
    Scanning.Quarantine quarantine,
    TimeProvider clock,
    ILogger<FileProcessor> logger,
    Audit.AuditTrail? audit = null) : IFileProcessor, IDisposable
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

            var scan = record.Scan;
            if (scanner.Enabled && scan is null)
            {
                var verdict = await scanner.ScanAsync(stored, record.Size, cancellationToken).ConfigureAwait(false);
                switch (verdict.Result)
                {
                    case Scanning.ScanResult.Unavailable:
                        return false;
                    case Scanning.ScanResult.Infected:
                        return await QuarantineAsync(record, stored, verdict).ConfigureAwait(false);
                }

                scan = verdict.Recorded;
            }

            var shared = dedup.Add(stored, record.Sha256, record.Size);
            if (shared == DedupOutcome.Gone)
            {
                return false;
            }

            var thumbnail = thumbnails.Make(stored, record.ContentType, cancellationToken);
            var recorded = await metadata.SetProcessedAsync(
                path,
                new ProcessingState(clock.GetUtcNow(), scan, shared is DedupOutcome.Stored or DedupOutcome.Deduplicated, thumbnail),
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

    /// <summary>Whether any step applies to such a file with the configuration as it is now.</summary>
    public bool IsOwed(FileRecord record) =>
        scanner.Enabled || dedup.IsEligible(record.Sha256, record.Size) || (thumbnails.Enabled && Thumbnails.ThumbnailStore.IsImage(record.ContentType));

    /// <summary>Moves an infected file out of reach and records why; it is answered 403 from then on.</summary>
    private async Task<bool> QuarantineAsync(FileRecord record, StoragePath stored, Scanning.ScanVerdict verdict)
    {
        if (!quarantine.Take(stored))
        {
            return false;
        }

        await metadata.SetProcessedAsync(record.Path, new ProcessingState(clock.GetUtcNow(), verdict.Recorded, false, false), CancellationToken.None).ConfigureAwait(false);
        Scanning.ScanLog.Infected(logger, verdict.Detail, record.Path);
        audit?.Record("file.infected", "virus scanner", record.ClientAddress, record.Path, $"{verdict.Detail}; owner {record.Owner ?? "none"}; quarantined");
        return true;
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }
}
