using HmacPortal.Engine.Downloads;

namespace HmacPortal.Hosting;

/// <summary>Writes counted downloads to the metadata store every few seconds and once more at shutdown.</summary>
internal sealed class DownloadCountFlusher(DownloadCounter counter, TimeProvider clock, ILogger<DownloadCountFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counter.FlushAsync(cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            HostingLog.CountFlushFailed(logger, ex.Message);
        }
    }
}
