using HmacPortal.Engine.Cluster;
using HmacPortal.Engine.Resumable;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Cluster;

/// <summary>The one-writer rule of a resumable upload across two nodes sharing a Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class WriterLocksTests(RedisServer redis) : IDisposable
{
    private readonly List<IDisposable> _nodes = [];
    private readonly string _prefix = "w" + Guid.NewGuid().ToString("N")[..8] + ":";

    public void Dispose() => _nodes.ForEach(n => n.Dispose());

    private async Task<UploadWriters> NodeAsync()
    {
        var connection = await redis.ConnectAsync(_prefix);
        var locks = new WriterLocks(connection);
        _nodes.Add(locks);
        _nodes.Add(connection);
        return new UploadWriters(locks);
    }

    [Fact]
    public async Task AWriterOnAnotherNode_IsAskedToStop_AndTheNewOneWritesOnceItHas()
    {
        var first = await NodeAsync();
        var second = await NodeAsync();
        var stale = await first.AcquireAsync("upload-1", CancellationToken.None);
        var stopped = new TaskCompletionSource();

        // The stale writer stops as a body copy does when its token is cancelled: it lets go.
        stale.Token.Register(() =>
        {
            stale.Dispose();
            stopped.TrySetResult();
        });

        using var fresh = await second.AcquireAsync("upload-1", CancellationToken.None);

        Assert.True(stopped.Task.IsCompletedSuccessfully);
        Assert.False(fresh.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task DifferentUploads_AreWrittenOnBothNodesAtOnce()
    {
        var first = await NodeAsync();
        var second = await NodeAsync();

        using var one = await first.AcquireAsync("upload-a", CancellationToken.None);
        using var other = await second.AcquireAsync("upload-b", CancellationToken.None);

        Assert.False(one.Token.IsCancellationRequested);
        Assert.False(other.Token.IsCancellationRequested);
    }
}
