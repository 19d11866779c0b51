using System.Security.Cryptography;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// Makes disk and records agree after a crash. A write stores the file first and the record second,
/// so a crash can leave a file without a record (it is recorded now, its type taken from its name)
/// or, if the file was removed by hand, a record without a file (it is dropped). Temp files of writes
/// that never finished are deleted: all of them on a node of its own, and those idle for as long as
/// the sweep job waits when the database is shared, since other nodes may be writing theirs.
/// </summary>
public sealed class MetadataReconciler(FileStore files, IMetadataStore metadata, ILogger<MetadataReconciler> logger, Database? database = null, TimeProvider? clock = null)
{
    /// <exception cref="StorageUnavailableException">The storage is not the volume the records describe: nothing is changed.</exception>
    public async Task<ReconcileReport> RunAsync(CancellationToken cancellationToken)
    {
        // On an unmounted volume every file would seem gone and every record be dropped.
        files.EnsureAvailable();
        var shared = database is { Engine: DatabaseEngine.PostgreSql };
        var swept = files.SweepTempFiles(shared ? (clock ?? TimeProvider.System).GetUtcNow() - Jobs.SweepJob.TempFileIdle : DateTimeOffset.MaxValue);

        var recordedStored = new HashSet<string>(StringComparer.Ordinal);
        var dropped = 0;
        await foreach (var (path, stored, _, quarantined) in metadata.ListPathsAsync(cancellationToken).ConfigureAwait(false))
        {
            // A quarantined file's bytes were moved away on purpose; its record keeps answering 403.
            if (quarantined || (StoragePath.TryCreate(stored, out var storedPath, out _) && files.Find(storedPath) is not null))
            {
                recordedStored.Add(stored);
            }
            else
            {
                await metadata.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
                dropped++;
            }
        }

        var recovered = 0;
        foreach (var (path, file) in files.EnumerateCommitted())
        {
            if (recordedStored.Contains(path.Value))
            {
                continue;
            }

            string sha;
            await using (var stream = file.OpenRead())
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }

            await metadata.RecordAsync(new FileRecord(
                path.Value, path.Value, file.Length, ContentTypes.FromFileName(path.FileName), sha,
                Owner: null, Protocol: "recovered", ClientAddress: null, Created: new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), Expires: null),
                cancellationToken).ConfigureAwait(false);
            recovered++;
        }

        var report = new ReconcileReport(swept, dropped, recovered);
        if (swept + dropped + recovered > 0)
        {
            MetadataLog.Reconciled(logger, swept, dropped, recovered);
        }

        return report;
    }
}

public sealed record ReconcileReport(int TempFilesRemoved, int RecordsDropped, int FilesRecovered);
