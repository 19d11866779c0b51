using HmacPortal.Engine.Cluster;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Resumable;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
        var connection = new RedisConnection(
            Options.Create(new RedisOptions { RedisEnabled = true, RedisAddr = redis.Address, KeyPrefix = _prefix }), NullLogger<RedisConnection>.Instance);
        var locks = new WriterLocks(connection);
        _nodes.Add(locks);
        _nodes.Add(connection);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!connection.Shared && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.True(connection.Shared);
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
