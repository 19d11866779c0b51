using System.Collections.Concurrent;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// One writer per upload. A new request for an upload that is still being written cancels the
/// older request and takes over once it has flushed and recorded what it received: a client that
/// reconnects after a network drop is never locked out by its own dead connection. With Redis the
/// rule holds across nodes: the writer on another node is asked to stop the same way
/// (<see cref="Cluster.WriterLocks"/>).
/// </summary>
public sealed class UploadWriters
{
    private static readonly TimeSpan TakeoverTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Writer> _writers = new(StringComparer.Ordinal);
    private readonly Cluster.WriterLocks? _cluster;

    public UploadWriters(Cluster.WriterLocks? cluster = null)
    {
        _cluster = cluster;
        cluster?.OnTakeover(key =>
        {
            if (_writers.TryGetValue(key, out var current))
            {
                _ = current.CancelAsync();
            }
        });
    }

    /// <summary>Becomes the upload's only writer, cancelling and waiting out any current one.</summary>
    public Task<Lease> AcquireAsync(UploadId id, CancellationToken requestAborted) => AcquireAsync(id.Value, requestAborted);

    /// <summary>Becomes the only writer of <paramref name="key"/> (an upload, or one chunk of it), cancelling and waiting out any current one.</summary>
    public async Task<Lease> AcquireAsync(string key, CancellationToken requestAborted)
    {
        var mine = new Writer(requestAborted);
        while (!_writers.TryAdd(key, mine))
        {
            if (_writers.TryGetValue(key, out var current))
            {
                await current.CancelAsync().ConfigureAwait(false);
                await current.Released.WaitAsync(TakeoverTimeout, requestAborted).ConfigureAwait(false);
            }
        }

        try
        {
            mine.Cluster = _cluster is null ? null : await _cluster.AcquireAsync(key, TakeoverTimeout, requestAborted).ConfigureAwait(false);
        }
        catch
        {
            Release(key, mine);
            throw;
        }

        return new Lease(this, key, mine);
    }

    /// <summary>Cancels the upload's current writer, if any, and waits until it has let go.</summary>
    public async Task StopAsync(UploadId id, CancellationToken cancellationToken)
    {
        if (_writers.TryGetValue(id.Value, out var current))
        {
            await current.CancelAsync().ConfigureAwait(false);
            await current.Released.WaitAsync(TakeoverTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Release(string key, Writer writer)
    {
        _writers.TryRemove(new KeyValuePair<string, Writer>(key, writer));
        writer.Dispose();
    }

    internal sealed class Writer(CancellationToken requestAborted) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token => _cancel.Token;

        public Task Released => _released.Task;

        /// <summary>The cluster's lock on the same upload, held as long as this writer.</summary>
        public IDisposable? Cluster { get; set; }

        /// <summary>Cancels the writer; one that lets go meanwhile (and so is disposed, even while its cancellation runs) is no longer in the way.</summary>
        public async Task CancelAsync()
        {
            try
            {
                await _cancel.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            Cluster?.Dispose();
            _released.TrySetResult();
            _cancel.Dispose();
        }
    }

    /// <summary>The right to write one upload; cancelled when a newer request takes over.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly UploadWriters _owner;
        private readonly string _key;
        private readonly Writer _writer;

        internal Lease(UploadWriters owner, string key, Writer writer)
        {
            _owner = owner;
            _key = key;
            _writer = writer;
        }

        /// <summary>Cancelled when the client goes away or another request takes over.</summary>
        public CancellationToken Token => _writer.Token;

        public void Dispose() => _owner.Release(_key, _writer);
    }
}
