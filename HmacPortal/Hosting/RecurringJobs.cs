using Hangfire;
using HmacPortal.Engine.Jobs;
using HmacPortal.Engine.Storage;

namespace HmacPortal.Hosting;

/// <summary>
/// What Hangfire runs on the <c>[jobs]</c> schedules. Each method hands over to an Engine job (which
/// knows nothing of Hangfire and is tested without it). A job never runs alongside itself: a run
/// that finds the last one still going on this node ends at once (that one is doing the work, and
/// waiting for it would only end in a lock timeout counted as a failure), and across nodes Hangfire's
/// lock keeps them apart. A failed run is not retried: the next scheduled run does the same work.
/// While the storage is unavailable (its volume not mounted, <see cref="StorageVolumeGuard"/>) the
/// jobs that need it do nothing (or stop, when it goes during a run) and say so: that is waiting,
/// not failing, and the cause is already logged once and shown by readiness, so Hangfire does not
/// fill with failed runs meanwhile.
/// </summary>
public sealed partial class RecurringJobs(
    ExpiryJob expiry, SweepJob sweep, MaintenanceJob maintenance, DiskSpaceWatchdog disk, CatchUpJob catchUp, DedupCollectJob dedupCollect,
    HmacPortal.Engine.Signing.Keyring keyring, ILogger<RecurringJobs> logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    public const string ExpiryId = "expiry";
    public const string SweepId = "sweep";
    public const string MaintenanceId = "maintenance";
    public const string DiskWatchId = "disk-watch";
    public const string CatchUpId = "catch-up";
    public const string DedupCollectId = "dedup-collect";
    public const string KeyRotationId = "key-rotation";

    /// <summary>The key-rotation job only checks the key's age against <c>rotation_interval</c>, so hourly is enough.</summary>
    public const string KeyRotationSchedule = "7 * * * *";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task ExpiryAsync(CancellationToken cancellationToken) => Alone(ExpiryId, () => expiry.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task SweepAsync(CancellationToken cancellationToken) => Alone(SweepId, () => sweep.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task MaintenanceAsync(CancellationToken cancellationToken) => Alone(MaintenanceId, () => maintenance.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task DiskWatchAsync(CancellationToken cancellationToken) => Alone(DiskWatchId, () => disk.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task CatchUpAsync(CancellationToken cancellationToken) => Alone(CatchUpId, () => catchUp.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task DedupCollectAsync(CancellationToken cancellationToken) => Alone(DedupCollectId, () => dedupCollect.RunAsync(cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task KeyRotationAsync(CancellationToken cancellationToken) => Alone(KeyRotationId, () => keyring.RotateIfDueAsync(cancellationToken));

    /// <summary>Runs <paramref name="run"/> unless the job's last run is still going in this process.</summary>
    public async Task Alone(string job, Func<Task> run)
    {
        if (!_running.TryAdd(job, 0))
        {
            StillRunning(logger, job);
            return;
        }

        try
        {
            await run().ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            WaitsForStorage(logger, job, ex.Message);
        }
        finally
        {
            _running.TryRemove(job, out _);
        }
    }

    [LoggerMessage(7010, LogLevel.Information, "The {Job} job's last run is still going; this run is skipped")]
    private static partial void StillRunning(ILogger logger, string job);

    [LoggerMessage(7012, LogLevel.Information, "The {Job} job left its work on stored files to a later run, since the storage is unavailable: {Problem}")]
    private static partial void WaitsForStorage(ILogger logger, string job, string problem);
}
