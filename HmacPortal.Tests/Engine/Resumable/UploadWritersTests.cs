using HmacPortal.Engine.Resumable;

namespace HmacPortal.Tests.Engine.Resumable;

public sealed class UploadWritersTests
{
    [Fact]
    public async Task CancellingAWriter_ThatHasJustLetGo_IsNotAnError()
    {
        // A newer request finds the writer, which lets go before the request cancels it.
        using var aborted = new CancellationTokenSource();
        var writer = new UploadWriters.Writer(aborted.Token);
        writer.Dispose();

        await writer.CancelAsync();

        Assert.True(writer.Released.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ManyRequestsForOneUpload_HoldTheLeaseOneAtATime()
    {
        var writers = new UploadWriters();
        var holding = 0;
        var overlapped = false;

        await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
        {
            using var lease = await writers.AcquireAsync("one-upload", CancellationToken.None);
            overlapped |= Interlocked.Increment(ref holding) > 1;
            await Task.Yield();
            Interlocked.Decrement(ref holding);
        })));

        Assert.False(overlapped);
        using var last = await writers.AcquireAsync("one-upload", CancellationToken.None);
        Assert.False(last.Token.IsCancellationRequested);
    }
}
