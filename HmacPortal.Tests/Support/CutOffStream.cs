namespace HmacPortal.Tests.Support;

/// <summary>A request body whose connection drops: it yields its bytes, then fails as a reset socket does.</summary>
public sealed class CutOffStream(byte[] data) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position == data.Length)
        {
            throw new IOException("connection reset by peer");
        }

        var read = Math.Min(count, data.Length - _position);
        Array.Copy(data, _position, buffer, offset, read);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
