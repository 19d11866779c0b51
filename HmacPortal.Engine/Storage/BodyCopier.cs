using System.Buffers;
using System.IO.Pipelines;

namespace HmacPortal.Engine.Storage;

public enum BodyCopyStop
{
    /// <summary>The body ended (it may still be shorter than expected; the caller compares).</summary>
    Ended,
    /// <summary>The client went away or the request was cancelled; what arrived was written.</summary>
    Interrupted,
    /// <summary>The body ran past the limit; the excess was not written.</summary>
    TooLong,
}

/// <summary>How a copy ended and how many bytes it wrote.</summary>
public readonly record struct BodyCopyResult(BodyCopyStop Stop, long Written);

/// <summary>
/// Streams a request body into a file at the file's current position through one pooled buffer:
/// the loop every upload path shares (PUT and resumable). Blocks are shown to a callback just
/// before they are written (for hashing), and the file's writeback to disk is started as data
/// piles up so that a final fsync finds little left to do.
/// </summary>
public static class BodyCopier
{
    public const int BufferSize = 256 * 1024;

    /// <param name="limit">The most bytes the body may have; more is <see cref="BodyCopyStop.TooLong"/>.</param>
    /// <param name="writebackEvery">How much written data may pile up before its writeback is started.</param>
    /// <param name="onBlock">Sees each block just before it is written.</param>
    /// <param name="afterRead">Called after each read with the bytes written so far (for durability points).</param>
    /// <param name="onReceived">Told how many bytes each read brought (for progress), before they are written.</param>
    public static async Task<BodyCopyResult> CopyAsync(
        PipeReader body,
        FileStream file,
        long limit,
        long writebackEvery,
        Action<byte[], int> onBlock,
        Func<long, ValueTask>? afterRead,
        Action<long>? onReceived,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var start = file.Position;
            long received = 0;
            long written = 0;
            long writebackFrom = 0;
            var filled = 0;
            var stop = BodyCopyStop.Ended;
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || (ex is IOException io && !FileStore.IsNoSpace(io)))
                {
                    // A reset connection, an aborted request, a takeover, or a body shorter than its Content-Length.
                    stop = BodyCopyStop.Interrupted;
                    break;
                }

                var data = read.Buffer;
                if (received + data.Length > limit)
                {
                    body.AdvanceTo(data.End);
                    return new BodyCopyResult(BodyCopyStop.TooLong, written);
                }

                foreach (var segment in data)
                {
                    var rest = segment;
                    while (!rest.IsEmpty)
                    {
                        var n = Math.Min(rest.Length, buffer.Length - filled);
                        rest.Span[..n].CopyTo(buffer.AsSpan(filled));
                        filled += n;
                        rest = rest[n..];
                        if (filled == buffer.Length)
                        {
                            written += Write(file, buffer, filled, onBlock);
                            filled = 0;
                            if (written - writebackFrom >= writebackEvery)
                            {
                                NativeFile.StartWriteback(file.SafeFileHandle, start + writebackFrom, written - writebackFrom);
                                writebackFrom = written;
                            }
                        }
                    }
                }

                received += data.Length;
                onReceived?.Invoke(data.Length);
                body.AdvanceTo(data.End);
                if (afterRead is not null)
                {
                    await afterRead(written).ConfigureAwait(false);
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }

            if (filled > 0)
            {
                written += Write(file, buffer, filled, onBlock);
            }

            return new BodyCopyResult(stop, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Shows the block, then writes it on this thread. A file's write goes to the page cache (the
    /// disk is reached by the writeback started above and the final flush), and FileStream's
    /// asynchronous write on Linux only moves the same blocking call to another pool thread.
    /// </summary>
    private static int Write(FileStream file, byte[] buffer, int count, Action<byte[], int> onBlock)
    {
        onBlock(buffer, count);
        file.Write(buffer, 0, count);
        return count;
    }
}
