using System.Collections.Concurrent;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// One writer per upload. A new request for an upload that is still being written cancels the
/// older request and takes over once it has flushed and recorded what it received: a client that
/// reconnects after a network drop is never locked out by its own dead connection.
/// </summary>
public sealed class UploadWriters
{
    private static readonly TimeSpan TakeoverTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Writer> _writers = new(StringComparer.Ordinal);

    /// <summary>Becomes the upload's only writer, cancelling and waiting out any current one.</summary>
    public async Task<Lease> AcquireAsync(UploadId id, CancellationToken requestAborted)
    {
        var mine = new Writer(requestAborted);
        while (!_writers.TryAdd(id.Value, mine))
        {
            if (_writers.TryGetValue(id.Value, out var current))
            {
                await current.CancelAsync().ConfigureAwait(false);
                await current.Released.WaitAsync(TakeoverTimeout, requestAborted).ConfigureAwait(false);
            }
        }

        return new Lease(this, id, mine);
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

    private void Release(UploadId id, Writer writer)
    {
        _writers.TryRemove(new KeyValuePair<string, Writer>(id.Value, writer));
        writer.Dispose();
    }

    internal sealed class Writer(CancellationToken requestAborted) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token => _cancel.Token;

        public Task Released => _released.Task;

        public Task CancelAsync()
        {
            try
            {
                return _cancel.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                return Task.CompletedTask;
            }
        }

        public void Dispose()
        {
            _released.TrySetResult();
            _cancel.Dispose();
        }
    }

    /// <summary>The right to write one upload; cancelled when a newer request takes over.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly UploadWriters _owner;
        private readonly UploadId _id;
        private readonly Writer _writer;

        internal Lease(UploadWriters owner, UploadId id, Writer writer)
        {
            _owner = owner;
            _id = id;
            _writer = writer;
        }

        /// <summary>Cancelled when the client goes away or another request takes over.</summary>
        public CancellationToken Token => _writer.Token;

        public void Dispose() => _owner.Release(_id, _writer);
    }
}
