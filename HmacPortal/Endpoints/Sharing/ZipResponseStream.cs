using System.Buffers;

namespace HmacPortal.Endpoints.Sharing;

/// <summary>
/// Lets <see cref="System.IO.Compression.ZipArchive"/> write into a response, where synchronous
/// writes are not allowed. The archive writes file data asynchronously but a few small records
/// (an entry's data descriptor, in this runtime) synchronously; those are held here, at most a few
/// hundred bytes each, and sent ahead of the next asynchronous write or flush.
/// </summary>
internal sealed class ZipResponseStream(Stream response) : Stream
{
    /// <summary>Far more than any run of headers; reaching it means file data is being written synchronously.</summary>
    private const int MaxHeld = 1 << 20;

    private readonly ArrayBufferWriter<byte> _held = new(4096);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_held.WrittenCount + buffer.Length > MaxHeld)
        {
            throw new InvalidOperationException("the archive wrote file data synchronously");
        }

        _held.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendHeldAsync(cancellationToken);
        await response.WriteAsync(buffer, cancellationToken);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        await response.FlushAsync(cancellationToken);
    }

    /// <summary>Nothing is sent synchronously; what is held goes out with the next asynchronous write or flush.</summary>
    public override void Flush()
    {
    }

    private async ValueTask SendHeldAsync(CancellationToken cancellationToken)
    {
        if (_held.WrittenCount > 0)
        {
            await response.WriteAsync(_held.WrittenMemory, cancellationToken);
            _held.ResetWrittenCount();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
