using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;

namespace HmacPortal.Hosting;

/// <summary>
/// Reconciles files and records before the server takes requests. While the storage is not the
/// volume the records describe (not mounted yet), reconciliation waits, checking again every
/// <see cref="RetryEvery"/>, and runs once the volume is back.
/// </summary>
internal sealed class MetadataStartup(MetadataReconciler reconciler, ILogger<MetadataStartup> logger, TimeProvider clock, IHostApplicationLifetime lifetime) : IHostedService
{
    internal static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(30);

    private Task _waiting = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await reconciler.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            MetadataLog.ReconcilePostponed(logger, ex.Message);
            _waiting = WaitForStorageAsync(lifetime.ApplicationStopping);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _waiting.WaitAsync(cancellationToken);

    private async Task WaitForStorageAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryEvery, clock, stopping).ConfigureAwait(false);
                await reconciler.RunAsync(stopping).ConfigureAwait(false);
                return;
            }
            catch (StorageUnavailableException)
            {
                // Still not there; logged once by the storage guard.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                // The volume is back but reconciling failed (the database away a moment): tried again next time.
                MetadataLog.ReconcilePostponed(logger, ex.Message);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
