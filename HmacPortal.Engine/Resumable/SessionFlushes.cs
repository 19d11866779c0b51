using System.Collections.Concurrent;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// Flushes of resumable uploads' data that run beside the transfer instead of in front of it. An
/// upload that has taken <see cref="Every"/> bytes past its last flush starts one here and goes on
/// receiving while the disk catches up; the request that holds the upload's writer lease next
/// saves the flushed offset in the sidecar (<see cref="TakeFinished"/>). A flush writes no record
/// itself, so every record of an upload is still written by its one writer, in order.
/// <para>
/// Each flush runs on a thread of its own (an fsync may block for as long as the disk's backlog
/// takes), and at most one runs per upload. A flush that outlives its upload (terminated, swept)
/// ends by itself and closes its handle.
/// </para>
/// </summary>
public sealed class SessionFlushes(long every = SessionFlushes.DefaultEvery)
{
    /// <summary>How many bytes an upload may take past its last flush before the next is started.</summary>
    public const long DefaultEvery = 64L << 20;

    private readonly ConcurrentDictionary<string, Task<long>> _flushes = new(StringComparer.Ordinal);

    /// <summary>How many bytes an upload may take past its last flush before the next is started.</summary>
    public long Every { get; } = every > 0 ? every : throw new ArgumentOutOfRangeException(nameof(every), "a flush interval is a positive number of bytes");

    /// <summary>
    /// How far an upload may run ahead of its last finished flush before its writer waits for the
    /// running one: what a power cut can cost an upload stays bounded even on a disk slower than the network.
    /// </summary>
    public long MostUnflushed => 4 * Every;

    /// <summary>How many uploads have a flush running or finished but not yet recorded; for the stability tests.</summary>
    public int Count => _flushes.Count;

    /// <summary>
    /// Starts flushing the data file at <paramref name="dataPath"/>, whose first
    /// <paramref name="position"/> bytes are written, unless a flush of the upload is already
    /// under way or waiting to be settled; false then. Called by the upload's writer only.
    /// </summary>
    public bool TryStart(UploadId id, string dataPath, long position)
    {
        if (_flushes.ContainsKey(id.Value))
        {
            return false;
        }

        var flush = Task.Factory.StartNew(
            () =>
            {
                // Shares the file with its writer: the writer's further writes go on meanwhile.
                using var handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                RandomAccess.FlushToDisk(handle);
                return position;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return _flushes.TryAdd(id.Value, flush);
    }

    /// <summary>Whether a flush of the upload is still running.</summary>
    public bool IsRunning(UploadId id) => _flushes.TryGetValue(id.Value, out var flush) && !flush.IsCompleted;

    /// <summary>
    /// The offset a finished flush made durable, which is then forgotten; null while the flush runs
    /// or when none was started. A flush that failed throws its error here, to the writer.
    /// </summary>
    public long? TakeFinished(UploadId id)
    {
        if (!_flushes.TryGetValue(id.Value, out var flush) || !flush.IsCompleted)
        {
            return null;
        }

        _flushes.TryRemove(new KeyValuePair<string, Task<long>>(id.Value, flush));
        return flush.GetAwaiter().GetResult();
    }

    /// <summary>Waits for the upload's flush, if one was started, and returns (and forgets) the offset it made durable.</summary>
    public async Task<long?> WaitAsync(UploadId id)
    {
        if (!_flushes.TryGetValue(id.Value, out var flush))
        {
            return null;
        }

        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            _flushes.TryRemove(new KeyValuePair<string, Task<long>>(id.Value, flush));
        }
    }

    /// <summary>Forgets the upload's flush (the upload is gone); one still running ends by itself, and its failure no longer matters.</summary>
    public void Drop(UploadId id)
    {
        if (_flushes.TryRemove(id.Value, out var flush))
        {
            _ = flush.ContinueWith(static done => done.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
