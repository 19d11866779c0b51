using System.Collections.Concurrent;
using HmacPortal.Engine.Processing;

namespace HmacPortal.Tests.Support;

/// <summary>A processor that holds every file until its gate opens, counting how many it holds at once.</summary>
public sealed class GatedProcessor : IFileProcessor
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;

    public ConcurrentQueue<string> Done { get; } = new();

    public int Running => Volatile.Read(ref _running);

    public void Open() => _gate.TrySetResult();

    public bool IsOwed(HmacPortal.Engine.Metadata.FileRecord record) => true;

    public async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
            Done.Enqueue(path);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
