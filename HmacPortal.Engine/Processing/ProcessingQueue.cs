using System.Threading.Channels;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Processing;

/// <summary>
/// The bounded queue between a committed upload and its post-processing. Queuing never waits and
/// never fails the upload: when the queue is full the work is handed to the job server, and if even
/// that fails, the file's record still says it is unprocessed, so the catch-up job finds it. The
/// queue is a way to do the work soon, never the only record that it is owed.
/// </summary>
public sealed class ProcessingQueue
{
    private readonly Channel<ProcessingItem> _channel;
    private readonly IProcessingOverflow _overflow;
    private readonly TimeProvider _clock;
    private readonly ILogger<ProcessingQueue> _logger;
    private long _enqueued;
    private long _overflowed;
    private long _processed;
    private long _failed;
    private long _waitTicks;

    public ProcessingQueue(IOptions<WorkersOptions> options, IProcessingOverflow overflow, TimeProvider clock, ILogger<ProcessingQueue> logger)
    {
        Capacity = options.Value.UploadQueueSize;
        _channel = Channel.CreateBounded<ProcessingItem>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
        _overflow = overflow;
        _clock = clock;
        _logger = logger;
    }

    public int Capacity { get; }

    public int Depth => _channel.Reader.Count;

    public long Enqueued => Interlocked.Read(ref _enqueued);

    public long Overflowed => Interlocked.Read(ref _overflowed);

    public long Processed => Interlocked.Read(ref _processed);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The total time processed files waited in the queue.</summary>
    public TimeSpan TotalWait => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    internal ChannelReader<ProcessingItem> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="path"/>, or hands it to the job server when the queue is full. Never throws.</summary>
    public void Enqueue(string path)
    {
        if (_channel.Writer.TryWrite(new ProcessingItem(path, _clock.GetUtcNow())))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        if (IsClosed)
        {
            // Stopping: the record says the work is owed, and the catch-up run after start does it.
            return;
        }

        try
        {
            _overflow.Hand(path);
            Interlocked.Increment(ref _overflowed);
            ProcessingLog.Overflowed(_logger, Capacity, path);
        }
        catch (Exception ex)
        {
            ProcessingLog.OverflowFailed(_logger, path, ex);
        }
    }

    /// <summary>Takes no more work; what is queued can still be read.</summary>
    public void Close()
    {
        IsClosed = true;
        _channel.Writer.TryComplete();
    }

    public bool IsClosed { get; private set; }

    /// <summary>A worker took <paramref name="item"/>: how long it waited counts now.</summary>
    internal void Took(ProcessingItem item) =>
        Interlocked.Add(ref _waitTicks, Math.Max(0, (_clock.GetUtcNow() - item.Enqueued).Ticks));

    internal void Finished(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _processed : ref _failed);
}
