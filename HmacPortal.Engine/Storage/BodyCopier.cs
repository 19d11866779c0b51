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

/// <summary>How a copy ended, how many bytes it wrote, and how many of those went around the page cache.</summary>
public readonly record struct BodyCopyResult(BodyCopyStop Stop, long Written, long WrittenDirect = 0);

/// <summary>Sees a block of the body just before it is written.</summary>
public delegate void BlockObserver(ReadOnlySpan<byte> block);

/// <summary>
/// Streams a request body into a file at the file's current position through one pooled buffer:
/// the loop every upload path shares (PUT and resumable). Blocks are shown to a callback just
/// before they are written (for hashing).
/// </summary>
/// <remarks>
/// A body of a large file (<see cref="GoesDirect"/>, the caller's choice) that starts on a 4 KiB
/// boundary is written with <c>O_DIRECT</c>: from the buffer straight to the disk, skipping the
/// copy into the page cache that otherwise costs as much CPU as everything else together, and
/// leaving no dirty pages for the final fsync. The price is that the file's first download reads
/// it from the disk. Its last, partial block goes through the page cache, as does any body on a
/// file system that refuses direct writes. Buffered writes start their writeback as data piles
/// up, so a final fsync finds little left to do.
/// </remarks>
public static class BodyCopier
{
    public const int BufferSize = 256 * 1024;

    /// <summary>
    /// The smallest file whose bodies are written around the page cache. Smaller files (pictures,
    /// voice messages, short clips: most of what XMPP clients send) stay in the cache, where the
    /// recipients' downloads that follow at once find them.
    /// </summary>
    public const long DirectMinimum = 8L << 20;

    /// <summary>Whether bodies of a file of <paramref name="fileLength"/> bytes are written around the page cache.</summary>
    public static bool GoesDirect(long fileLength) => fileLength >= DirectMinimum;

    /// <param name="limit">The most bytes the body may have; more is <see cref="BodyCopyStop.TooLong"/>.</param>
    /// <param name="direct">Write whole blocks around the page cache when the file's position allows (<see cref="GoesDirect"/>).</param>
    /// <param name="writebackEvery">How much buffered data may pile up before its writeback is started.</param>
    /// <param name="onBlock">Sees each block just before it is written.</param>
    /// <param name="afterRead">Called after each read with the bytes in the file so far (for durability points).</param>
    /// <param name="onReceived">Told how many bytes each read brought (for progress), before they are written.</param>
    public static async Task<BodyCopyResult> CopyAsync(
        PipeReader body,
        FileStream file,
        long limit,
        bool direct,
        long writebackEvery,
        BlockObserver onBlock,
        Func<long, ValueTask>? afterRead,
        Action<long>? onReceived,
        CancellationToken cancellationToken)
    {
        var sink = new Sink(file, direct, writebackEvery, onBlock);
        try
        {
            long received = 0;
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
                    return await sink.EndAsync(BodyCopyStop.TooLong, keepRest: false).ConfigureAwait(false);
                }

                foreach (var segment in data)
                {
                    var rest = segment;
                    while (!rest.IsEmpty)
                    {
                        var n = sink.Fill(rest.Span);
                        rest = rest[n..];
                        if (sink.IsFull)
                        {
                            await sink.WriteAsync().ConfigureAwait(false);
                        }
                    }
                }

                received += data.Length;
                onReceived?.Invoke(data.Length);
                body.AdvanceTo(data.End);
                if (afterRead is not null)
                {
                    await afterRead(await sink.LandedAsync().ConfigureAwait(false)).ConfigureAwait(false);
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }

            return await sink.EndAsync(stop, keepRest: true).ConfigureAwait(false);
        }
        finally
        {
            await sink.ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where the blocks go: the file from its position on, directly while the blocks stay whole, then
    /// through the page cache. A direct write runs on a pool thread while the next block is filled
    /// and hashed in a second buffer, so the disk and the request's thread work side by side; at
    /// most one write is in flight. Buffered writes run on the request's thread: they only copy into
    /// the page cache (on Linux, FileStream's asynchronous write would just move the same call).
    /// </summary>
    private sealed class Sink
    {
        private readonly FileStream _file;
        private readonly long _start;
        private readonly long _writebackEvery;
        private readonly BlockObserver _onBlock;
        private AlignedBuffers.Lease _filling;
        private AlignedBuffers.Lease? _spare;
        private AlignedBuffers.Lease? _writing;
        private Task<bool>? _inFlight;
        private int _filled;
        private long _position;
        private long _writebackFrom;
        private long _direct;
        private bool _isDirect;

        public Sink(FileStream file, bool direct, long writebackEvery, BlockObserver onBlock)
        {
            _file = file;
            _start = _position = _writebackFrom = file.Position;
            _writebackEvery = writebackEvery;
            _onBlock = onBlock;
            _filling = AlignedBuffers.Rent();
            _isDirect = direct && _start % AlignedBuffers.Alignment == 0 && NativeFile.TrySetDirect(file.SafeFileHandle, direct: true);
        }

        public bool IsFull => _filled == BufferSize;

        /// <summary>Copies as much of <paramref name="data"/> as fits into the buffer being filled.</summary>
        public int Fill(ReadOnlySpan<byte> data)
        {
            var n = Math.Min(data.Length, BufferSize - _filled);
            data[..n].CopyTo(_filling.Span[_filled..]);
            _filled += n;
            return n;
        }

        /// <summary>The bytes in the file so far: a write still in flight is not waited for, and not counted.</summary>
        public async ValueTask<long> LandedAsync()
        {
            if (_inFlight is { IsCompleted: false })
            {
                return _position - _start - BufferSize;
            }

            await SettleAsync().ConfigureAwait(false);
            return _position - _start;
        }

        /// <summary>Writes the full buffer: directly in the background, or through the page cache here.</summary>
        public async ValueTask WriteAsync()
        {
            await SettleAsync().ConfigureAwait(false);
            var block = _filling;
            _onBlock(block.Span);
            _filled = 0;
            if (!_isDirect)
            {
                WriteBuffered(block.Span);
                return;
            }

            var offset = _position;
            _position += BufferSize;
            _writebackFrom = _position;
            _filling = _spare ?? AlignedBuffers.Rent();
            _spare = null;
            _writing = block;
            _inFlight = Task.Run(() => WriteDirect(block.Span, offset));
        }

        /// <summary>Lands the write in flight, writes what is left in the buffer when asked, and reports.</summary>
        public async ValueTask<BodyCopyResult> EndAsync(BodyCopyStop stop, bool keepRest)
        {
            await SettleAsync().ConfigureAwait(false);
            if (keepRest && _filled > 0)
            {
                var rest = _filling.Span[.._filled];
                _onBlock(rest);
                if (_isDirect && _filled % AlignedBuffers.Alignment == 0)
                {
                    if (WriteDirect(rest, _position))
                    {
                        _direct += _filled;
                    }

                    _position += _filled;
                }
                else
                {
                    Buffered();
                    WriteBuffered(rest);
                }

                _filled = 0;
            }

            return new BodyCopyResult(stop, _position - _start, _direct);
        }

        /// <summary>
        /// Waits for a write still in flight (its failure is already on its way out as another
        /// exception), leaves the file in its ordinary mode positioned after what was written, and
        /// gives the buffers back once nothing can be reading them.
        /// </summary>
        public async ValueTask ReleaseAsync()
        {
            if (_inFlight is { } pending)
            {
                await ((Task)pending).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                _inFlight = null;
                _spare = _writing;
            }

            Buffered();
            _file.Position = _position;
            AlignedBuffers.Return(_filling);
            if (_spare is { } spare)
            {
                AlignedBuffers.Return(spare);
            }
        }

        private async ValueTask SettleAsync()
        {
            if (_inFlight is not { } pending)
            {
                return;
            }

            try
            {
                if (await pending.ConfigureAwait(false))
                {
                    _direct += BufferSize;
                }
            }
            finally
            {
                _inFlight = null;
                _spare = _writing;
                _writing = null;
            }
        }

        /// <summary>Writes around the page cache; returns false if the file system made it go through it after all.</summary>
        private bool WriteDirect(ReadOnlySpan<byte> block, long offset)
        {
            try
            {
                RandomAccess.Write(_file.SafeFileHandle, block, offset);
                return true;
            }
            catch (IOException ex) when (ex.HResult == Errno.Inval)
            {
                // The file system took the flag but not the write: go on through the page cache.
                Buffered();
                RandomAccess.Write(_file.SafeFileHandle, block, offset);
                return false;
            }
        }

        private void WriteBuffered(ReadOnlySpan<byte> block)
        {
            RandomAccess.Write(_file.SafeFileHandle, block, _position);
            _position += block.Length;
            if (_position - _writebackFrom >= _writebackEvery)
            {
                NativeFile.StartWriteback(_file.SafeFileHandle, _writebackFrom, _position - _writebackFrom);
                _writebackFrom = _position;
            }
        }

        private void Buffered()
        {
            if (_isDirect)
            {
                _isDirect = false;
                _ = NativeFile.TrySetDirect(_file.SafeFileHandle, direct: false);
            }
        }
    }
}
