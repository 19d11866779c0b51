using HmacPortal.Engine.Resumable;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Resumable;

/// <summary>
/// A tus upload's periodic flush runs beside its transfer: the PATCH that starts it goes on
/// receiving, a later one records what it made durable, the upload never runs further than
/// <see cref="SessionFlushes.MostUnflushed"/> ahead of it, and nothing of it outlives the upload.
/// </summary>
public sealed class SessionFlushesTests : IDisposable
{
    private const int Every = 64 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly PortalWorld _world = new(flushEvery: Every);

    public void Dispose() => _world.Dispose();

    /// <summary>The sidecar a machine that lost power would resume from.</summary>
    private SessionStore AfterReboot => new(_world.ServerMonitor, "another-boot");

    [Fact]
    public async Task AFlushStartedByOnePatch_IsRecordedByTheNext_AndTheUploadCompletesWithNoneLeft()
    {
        var id = await _world.CreateTusUploadAsync("big.bin", 4 * Every);

        Assert.Equal(TusResult.Written, (await _world.PatchTusAsync(id, 0, Every + 100)).Result);
        Assert.Equal(0, AfterReboot.Get(id)!.Offset);
        Assert.True(_world.Flushes.Count == 1, "the PATCH past the interval started a flush");
        await WaitUntilFlushedAsync(id);

        // The next PATCH finds the flush finished and saves its offset before going on.
        Assert.Equal(TusResult.Written, (await _world.PatchTusAsync(id, Every + 100, 100)).Result);
        Assert.Equal(Every + 100, AfterReboot.Get(id)!.Offset);
        Assert.Equal(Every + 200, _world.Sessions.Get(id)!.Offset);

        var done = await _world.PatchTusAsync(id, Every + 200, (3 * Every) - 200);
        Assert.Equal(TusResult.Written, done.Result);
        Assert.True(done.Session!.Completed);
        Assert.Equal(0, _world.Flushes.Count);
    }

    [Fact]
    public async Task ALongPatch_NeverRunsMoreThanTheBoundAheadOfItsLastFinishedFlush()
    {
        const int Length = 16 * Every;
        var id = await _world.CreateTusUploadAsync("big.bin", 2 * Length);

        Assert.Equal(TusResult.Written, (await _world.PatchTusAsync(id, 0, Length)).Result);

        // Flushes were waited for whenever the upload got MostUnflushed ahead, and each was recorded.
        var flushed = AfterReboot.Get(id)!.Offset;
        Assert.InRange(flushed, Length - _world.Flushes.MostUnflushed - Every, Length);
        Assert.Equal(Length, _world.Sessions.Get(id)!.Offset);
    }

    [Fact]
    public async Task TerminatingAnUpload_ForgetsItsFlush()
    {
        var id = await _world.CreateTusUploadAsync("big.bin", 4 * Every);
        Assert.Equal(TusResult.Written, (await _world.PatchTusAsync(id, 0, 2 * Every)).Result);
        Assert.Equal(1, _world.Flushes.Count);

        Assert.Equal(TusResult.Terminated, (await _world.Tus.TerminateAsync(id, CancellationToken.None)).Result);

        Assert.Equal(0, _world.Flushes.Count);
        Assert.False(File.Exists(_world.Sessions.DataPath(id)));
    }

    [Fact]
    public void TheIntervalIsAPositiveNumberOfBytes()
    {
        Assert.Equal(64L << 20, new SessionFlushes().Every);
        Assert.Equal(4 * Every, new SessionFlushes(Every).MostUnflushed);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionFlushes(0));
    }

    private async Task WaitUntilFlushedAsync(UploadId id)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (_world.Flushes.IsRunning(id))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
