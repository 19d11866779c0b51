using HmacPortal.Engine.Storage;

namespace HmacPortal.Tests.Engine.Storage;

public sealed class DirectoryFlushesTests
{
    [Fact]
    public async Task CallersDuringAFlush_WaitForTheNextOne_WhichServesThemAll()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var calls = 0;
        var flushes = new DirectoryFlushes(directory =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                started.SetResult();
                release.Task.Wait(TimeSpan.FromSeconds(10));
            }

            order.Enqueue(directory);
        });

        var first = Task.Run(() => flushes.FlushAsync("/d"));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var during = Enumerable.Range(0, 5).Select(_ => flushes.FlushAsync("/d")).ToList();
        var other = flushes.FlushAsync("/other");

        // Another directory is not held up; those of the same directory wait for a flush that starts later.
        await other.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(during, t => Assert.False(t.IsCompleted));
        release.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(during).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["/other", "/d", "/d"], order);
        Assert.Equal(3, flushes.Count);
    }

    [Fact]
    public async Task ManyAtOnce_AllComplete_WithFewerFlushesThanCallers_AndTheDirectoryIsLetGo()
    {
        // Each flush takes a millisecond, as a directory's fsync on a disk does at least.
        using var pause = new ManualResetEventSlim();
        var flushes = new DirectoryFlushes(_ => pause.Wait(1));

        await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => Task.Run(() => flushes.FlushAsync("/many")))).WaitAsync(TimeSpan.FromSeconds(30));
        var afterMany = flushes.Count;
        await flushes.FlushAsync("/many").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(afterMany, 1, 399);
        Assert.Equal(afterMany + 1, flushes.Count);
    }

    [Fact]
    public async Task AFailedFlush_FailsItsCallers_AndTheNextCallFlushesAgain()
    {
        var fail = true;
        var flushes = new DirectoryFlushes(_ =>
        {
            if (fail)
            {
                throw new IOException("disk gone");
            }
        });

        await Assert.ThrowsAsync<IOException>(() => flushes.FlushAsync("/f"));
        fail = false;
        await flushes.FlushAsync("/f").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, flushes.Count);
    }
}
