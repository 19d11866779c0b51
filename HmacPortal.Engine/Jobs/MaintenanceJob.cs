using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Keeps the metadata database healthy and the quotas true to the disk: an integrity check (a
/// failure is logged as an error and reported), records whose file was removed by hand dropped,
/// records of files changed by hand given their real size and hash (and processed again), and
/// the database engine's own optimisation (SQLite: a vacuum after many deletions). Files without a record are left to start-up reconciliation: while
/// uploads run, a file may be committed a moment before its record is written.
/// </summary>
public sealed class MaintenanceJob(Database database, IMetadataStore metadata, FileStore files, ILogger<MaintenanceJob> logger, Audit.AuditTrail? audit = null)
{
    public async Task<MaintenanceReport> RunAsync(CancellationToken cancellationToken)
    {
        var check = database.CheckIntegrity();

        if (check != "ok")
        {
            JobsLog.DatabaseDamaged(logger, check);
        }

        var missing = new List<string>();
        var resized = new List<string>();
        try
        {
            // On a volume that is not mounted every file seems gone: records are compared with files only on the right one.
            files.EnsureAvailable();
        }
        catch (StorageUnavailableException ex)
        {
            JobsLog.FilesNotCompared(logger, ex.Message);
            audit?.Prune();
            return new MaintenanceReport(check == "ok", check, 0, Vacuumed: database.Optimize(), FilesCompared: false);
        }

        await foreach (var (path, storedPath, size, quarantined) in metadata.ListPathsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (quarantined)
            {
                continue;
            }

            if (!StoragePath.TryCreate(storedPath, out var stored, out _) || files.Find(stored) is not { } file)
            {
                missing.Add(path);
            }
            else if (file.Length != size)
            {
                resized.Add(path);
            }
        }

        var corrected = 0;
        foreach (var path in resized)
        {
            corrected += await CorrectAsync(path, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        var dropped = 0;
        foreach (var path in missing)
        {
            // Looked at again: a file deleted through the catalog loses its record right after its bytes;
            // and the volume must still be the right one (it may have been unmounted meanwhile).
            files.EnsureAvailable();
            if (await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false) is { } record
                && (!StoragePath.TryCreate(record.StoredPath, out var stored, out _) || files.Find(stored) is null))
            {
                dropped += await metadata.DeleteAsync(path, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        audit?.Prune();
        var vacuumed = database.Optimize();

        JobsLog.Maintained(logger, check, dropped, corrected);
        return new MaintenanceReport(check == "ok", check, dropped, corrected, vacuumed);
    }

    /// <summary>Gives the record of a file changed on disk its real size and hash; it is then processed (scanned) again.</summary>
    private async Task<bool> CorrectAsync(string path, CancellationToken cancellationToken)
    {
        if (await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false) is not { } record
            || !StoragePath.TryCreate(record.StoredPath, out var stored, out _) || files.Find(stored) is not { } file || file.Length == record.Size)
        {
            return false;
        }

        string sha;
        await using (var stream = file.OpenRead())
        {
            sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }

        await metadata.RecordAsync(record with { Size = file.Length, Sha256 = sha, Processed = null }, CancellationToken.None).ConfigureAwait(false);
        return true;
    }
}

/// <param name="FilesCompared">False while the storage was unavailable: no record was compared with its file.</param>
public sealed record MaintenanceReport(bool DatabaseHealthy, string Check, int RecordsDropped, int RecordsCorrected = 0, bool Vacuumed = false, bool FilesCompared = true);
