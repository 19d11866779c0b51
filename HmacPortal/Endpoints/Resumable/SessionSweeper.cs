using HmacPortal.Engine.Resumable;

namespace HmacPortal.Endpoints.Resumable;

/// <summary>Removes expired resumable uploads every minute (and once at start), with a stop path.</summary>
internal sealed class SessionSweeper(TusService tus, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        tus.SweepExpired();
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                tus.SweepExpired();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
