using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Processing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Processing;

public sealed class ProcessingWorkersTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _clock = new();
    private readonly WorkersOptions _options = new() { NumWorkers = 1, MaxWorkers = 4, UploadQueueSize = 50 };
    private readonly RecordingOverflow _overflow = new();
    private readonly GatedProcessor _processor = new();
    private readonly ProcessingQueue _queue;
    private readonly ProcessingWorkers _workers;

    public ProcessingWorkersTests()
    {
        _queue = new ProcessingQueue(Options.Create(_options), _overflow, _clock, NullLogger<ProcessingQueue>.Instance);
        _workers = new ProcessingWorkers(_queue, _processor, new TestOptionsMonitor<WorkersOptions>(_options), _clock, NullLogger<ProcessingWorkers>.Instance);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task Workers_ProcessEveryQueuedFile_AndCountTheWait()
    {
        _processor.Open();
        _workers.Start();

        foreach (var i in Enumerable.Range(0, 20))
        {
            _queue.Enqueue($"f/{i}");
        }

        await Until(() => _queue.Processed == 20);
        Assert.Equal(20, _processor.Done.Distinct().Count());
        Assert.Equal(20, _queue.Enqueued);
        Assert.Equal(0, _queue.Failed);
        await _workers.StopAsync(Wait, CancellationToken.None);
    }

    [Fact]
    public async Task AutoAdjust_AddsWorkersWhileTheQueueGrows_AndRetiresThemWhenItHasBeenEmpty()
    {
        _options.AutoAdjustWorkers = true;
        _workers.Start();
        foreach (var i in Enumerable.Range(0, 10))
        {
            _queue.Enqueue($"f/{i}");
        }

        await Until(() => _processor.Running == 1);
        for (var step = 0; step < 5; step++)
        {
            _workers.Adjust();
        }

        Assert.Equal(4, _workers.Count);
        await Until(() => _processor.Running == 4);
        Assert.Equal(4, _workers.Busy);

        _processor.Open();
        await Until(() => _queue.Processed == 10);
        _workers.Adjust();
        Assert.Equal(4, _workers.Count);
        _clock.Advance(ProcessingWorkers.IdleBeforeRetire);
        for (var step = 0; step < 5; step++)
        {
            _workers.Adjust();
        }

        Assert.Equal(1, _workers.Count);
        await _workers.StopAsync(Wait, CancellationToken.None);
    }

    [Fact]
    public async Task FixedWorkerCount_FollowsTheLiveConfig()
    {
        _options.NumWorkers = 2;
        _workers.Start();
        Assert.Equal(2, _workers.Count);

        _options.NumWorkers = 3;
        _workers.Adjust();

        Assert.Equal(3, _workers.Count);
        _processor.Open();
        await _workers.StopAsync(Wait, CancellationToken.None);
    }

    [Fact]
    public async Task Stop_LetsTheWorkersEmptyTheQueue_ThenTakesNoMore()
    {
        _workers.Start();
        foreach (var i in Enumerable.Range(0, 10))
        {
            _queue.Enqueue($"f/{i}");
        }

        var stopping = _workers.StopAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        _processor.Open();
        await stopping.WaitAsync(Wait);

        Assert.Equal(10, _queue.Processed);
        _queue.Enqueue("late");
        Assert.Equal(0, _queue.Depth);
        Assert.Empty(_overflow.Handed);
    }

    [Fact]
    public async Task Stop_CancelsWhatIsStillRunningWhenTheDrainTimeRunsOut()
    {
        _workers.Start();
        _queue.Enqueue("stuck");
        _queue.Enqueue("waiting");
        await Until(() => _processor.Running == 1);

        var stopping = _workers.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        // The drain time passes on the fake clock (again, until the stop has started waiting on it).
        await Until(() =>
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            return stopping.IsCompleted;
        });
        await stopping;

        Assert.Empty(_processor.Done);
        Assert.Equal(0, _processor.Running);
    }

    [Fact]
    public void FullQueue_HandsTheRestToTheJobServer()
    {
        _options.UploadQueueSize = 2;
        var queue = new ProcessingQueue(Options.Create(_options), _overflow, _clock, NullLogger<ProcessingQueue>.Instance);

        foreach (var i in Enumerable.Range(0, 5))
        {
            queue.Enqueue($"f/{i}");
        }

        Assert.Equal(2, queue.Depth);
        Assert.Equal(["f/2", "f/3", "f/4"], _overflow.Handed);
        Assert.Equal(3, queue.Overflowed);
    }

    public void Dispose() => _workers.Dispose();
}
