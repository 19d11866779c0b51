namespace HmacPortal.Engine.Storage;

/// <summary>
/// Flushes directories so that the renames made into them survive a power cut, one flush serving
/// every rename made before it started. Uploads stored at the same time into one directory (a
/// portal user's folder, a flat Go-era layout, the fan-out folders of <c>file_naming = "HMAC"</c>)
/// would otherwise each wait for a flush of their own; here a caller whose rename came while a
/// flush was already running waits for the next one, which starts as soon as that one ends and
/// serves everyone who arrived meanwhile.
/// </summary>
public sealed class DirectoryFlushes(Action<string>? flush = null)
{
    private readonly Action<string> _flush = flush ?? NativeFile.FlushDirectory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _running = new(StringComparer.Ordinal);
    private long _count;

    /// <summary>How many flushes have run.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>
    /// Completes once a flush of <paramref name="directory"/> that started after this call has
    /// finished. Call it after the rename. When no flush of the directory is running, the flush
    /// runs on the caller's thread.
    /// </summary>
    public Task FlushAsync(string directory)
    {
        var pending = new Pending();
        lock (_gate)
        {
            if (_running.TryGetValue(directory, out var running))
            {
                // The running flush may have started before this caller's rename: wait for the next.
                running.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return running.Next.Task;
            }

            _running.Add(directory, pending);
        }

        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Run(directory, first);
        TaskCompletionSource? next;
        lock (_gate)
        {
            next = TakeNext(directory, pending);
        }

        if (next is not null)
        {
            // Those who came meanwhile get their flush on a pool thread; this caller goes on.
            _ = Task.Run(() => RunOn(directory, pending, next));
        }

        return first.Task;
    }

    private void RunOn(string directory, Pending pending, TaskCompletionSource round)
    {
        while (true)
        {
            Run(directory, round);
            lock (_gate)
            {
                var next = TakeNext(directory, pending);
                if (next is null)
                {
                    return;
                }

                round = next;
            }
        }
    }

    /// <summary>Under the gate: the round that gathered while the last one ran, or null (and the directory is let go).</summary>
    private TaskCompletionSource? TakeNext(string directory, Pending pending)
    {
        var next = pending.Next;
        pending.Next = null;
        if (next is null)
        {
            _running.Remove(directory);
        }

        return next;
    }

    private void Run(string directory, TaskCompletionSource round)
    {
        try
        {
            _flush(directory);
            Interlocked.Increment(ref _count);
            round.SetResult();
        }
        catch (Exception ex)
        {
            round.SetException(ex);
        }
    }

    private sealed class Pending
    {
        public TaskCompletionSource? Next { get; set; }
    }
}
