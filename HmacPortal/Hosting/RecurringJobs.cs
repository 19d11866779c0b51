using Hangfire;
using HmacPortal.Engine.Jobs;

namespace HmacPortal.Hosting;

/// <summary>
/// What Hangfire runs on the <c>[jobs]</c> schedules. Each method hands over to an Engine job (which
/// knows nothing of Hangfire and is tested without it). A job never runs alongside itself, and a
/// failed run is not retried: the next scheduled run does the same work.
/// </summary>
public sealed class RecurringJobs(
    ExpiryJob expiry, SweepJob sweep, MaintenanceJob maintenance, DiskSpaceWatchdog disk, CatchUpJob catchUp, DedupCollectJob dedupCollect,
    HmacPortal.Engine.Signing.Keyring keyring)
{
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
    public Task ExpiryAsync(CancellationToken cancellationToken) => expiry.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task SweepAsync(CancellationToken cancellationToken) => sweep.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task MaintenanceAsync(CancellationToken cancellationToken) => maintenance.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task DiskWatchAsync(CancellationToken cancellationToken) => disk.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task CatchUpAsync(CancellationToken cancellationToken) => catchUp.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task DedupCollectAsync(CancellationToken cancellationToken) => dedupCollect.RunAsync(cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task KeyRotationAsync(CancellationToken cancellationToken) => keyring.RotateIfDueAsync(cancellationToken);
}
