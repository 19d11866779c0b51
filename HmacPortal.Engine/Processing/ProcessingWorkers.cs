using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Processing;

/// <summary>
/// The consumers of the <see cref="ProcessingQueue"/>: <c>numworkers</c> of them, or, with
/// <c>autoadjustworkers</c>, between <c>numworkers</c> and <c>max_workers</c> following the queue's
/// depth (checked every second). A worker is retired only between files. Stopping closes the
/// queue, lets the workers empty it for up to the given time, then cancels what still runs; files
/// left unprocessed stay marked so in their records and the catch-up job does them after start.
/// </summary>
public sealed class ProcessingWorkers(
    ProcessingQueue queue,
    IFileProcessor processor,
    IOptionsMonitor<WorkersOptions> options,
    TimeProvider clock,
    ILogger<ProcessingWorkers> logger) : IDisposable
{
    /// <summary>How often the worker count is reconsidered.</summary>
    public static readonly TimeSpan AdjustEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long the queue must stay empty before an extra worker is retired.</summary>
    public static readonly TimeSpan IdleBeforeRetire = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<Worker> _workers = [];
    private readonly CancellationTokenSource _abort = new();
    private CancellationTokenSource? _supervising;
    private Task _supervisor = Task.CompletedTask;
    private DateTimeOffset _lastBusy;
    private int _busy;
    private int _stopped;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _workers.Count;
            }
        }
    }

    public int Busy => Volatile.Read(ref _busy);

    public void Start()
    {
        _lastBusy = clock.GetUtcNow();
        Adjust();
        _supervising = new CancellationTokenSource();
        _supervisor = SuperviseAsync(_supervising.Token);
    }

    /// <summary>Brings the number of workers to what the options and the queue ask for now.</summary>
    public void Adjust()
    {
        var o = options.CurrentValue;
        lock (_gate)
        {
            var current = _workers.Count;
            var depth = queue.Depth;
            var now = clock.GetUtcNow();
            if (depth > 0 || Busy > 0)
            {
                _lastBusy = now;
            }

            var desired = !o.AutoAdjustWorkers ? o.NumWorkers
                : depth > current ? Math.Min(current + 1, o.MaxWorkers)
                : depth == 0 && now - _lastBusy >= IdleBeforeRetire ? current - 1
                : current;
            desired = o.AutoAdjustWorkers ? Math.Clamp(desired, o.NumWorkers, Math.Max(o.NumWorkers, o.MaxWorkers)) : desired;
            if (desired == current || queue.IsClosed)
            {
                return;
            }

            while (_workers.Count < desired)
            {
                var worker = new Worker();
                worker.Run = RunAsync(worker);
                _workers.Add(worker);
            }

            while (_workers.Count > desired)
            {
                var worker = _workers[^1];
                _workers.RemoveAt(_workers.Count - 1);
                worker.Retire.Cancel();
            }

            if (current > 0)
            {
                ProcessingLog.Resized(logger, current, desired, depth);
            }
        }
    }

    /// <summary>Closes the queue and lets the workers empty it for up to <paramref name="drain"/> (or until <paramref name="cancellationToken"/>); then cancels them.</summary>
    public async Task StopAsync(TimeSpan drain, CancellationToken cancellationToken)
    {
        // Once only, and never after Dispose: a host may be stopped more than once.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        queue.Close();
        if (_supervising is not null)
        {
            await _supervising.CancelAsync().ConfigureAwait(false);
        }

        await _supervisor.ConfigureAwait(false);
        Task all;
        lock (_gate)
        {
            all = Task.WhenAll(_workers.Select(w => w.Run));
        }

        if (await Task.WhenAny(all, Task.Delay(drain, clock, cancellationToken)).ConfigureAwait(false) != all)
        {
            ProcessingLog.LeftQueued(logger, queue.Depth);
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        // Cancelled work ends at its next await; a last bound in wall-clock time keeps a stop from ever hanging on it.
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None)).ConfigureAwait(false);
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(AdjustEvery, clock, cancellationToken).ConfigureAwait(false);
                Adjust();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(Worker worker)
    {
        // Off the caller's stack: the first file is not processed inside Start or Adjust.
        await Task.Yield();
        var reader = queue.Reader;
        while (!_abort.IsCancellationRequested)
        {
            try
            {
                if (!await reader.WaitToReadAsync(worker.Retire.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!reader.TryRead(out var item))
            {
                continue;
            }

            queue.Took(item);
            Interlocked.Increment(ref _busy);
            try
            {
                await processor.ProcessAsync(item.Path, _abort.Token).ConfigureAwait(false);
                queue.Finished(succeeded: true);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                queue.Finished(succeeded: false);
                ProcessingLog.Failed(logger, item.Path, ex);
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
            }
        }
    }

    /// <summary>
    /// Cancels whatever still runs. The token sources are cancelled, not disposed: a stop that the
    /// host gave up waiting for may still be using them, and sources without timers hold nothing
    /// that needs freeing.
    /// </summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _stopped, 1);
        queue.Close();
        _supervising?.Cancel();
        _abort.Cancel();
        lock (_gate)
        {
            foreach (var worker in _workers)
            {
                worker.Retire.Cancel();
            }
        }
    }

    private sealed class Worker
    {
        public CancellationTokenSource Retire { get; } = new();

        public Task Run { get; set; } = Task.CompletedTask;
    }
}
