using HmacPortal.Engine.Metadata;

namespace HmacPortal.Hosting;

/// <summary>Reconciles files and records before the server takes requests.</summary>
internal sealed class MetadataStartup(MetadataReconciler reconciler) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => reconciler.RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
