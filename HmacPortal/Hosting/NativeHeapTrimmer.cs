using HmacPortal.Engine.Health;

namespace HmacPortal.Hosting;

/// <summary>
/// Once a minute, gives the C library's free pages back to the system (<see cref="NativeHeap.Trim"/>),
/// so native memory that SQLite, OpenSSL and the runtime freed does not stay resident in the
/// arenas of threads that no longer need it. It takes a few milliseconds.
/// </summary>
internal sealed class NativeHeapTrimmer(TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly TaskCompletionSource _ticking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _runs;

    /// <summary>What a run does; the C library's trim unless a test says otherwise.</summary>
    public Func<bool> Trim { get; init; } = NativeHeap.Trim;

    /// <summary>How many times it has run.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Completes once the interval is counted (the host runs the service on a thread of its own).</summary>
    public Task Ticking => _ticking.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        _ticking.TrySetResult();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Trim();
                Interlocked.Increment(ref _runs);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
