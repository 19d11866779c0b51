using System.Net;

namespace HmacPortal.Bench;

/// <summary>A request body of any length generated on the fly, so the client holds no file in memory.</summary>
internal sealed class PatternContent(long length) : HttpContent
{
    private static readonly byte[] Block = CreateBlock();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var n = (int)Math.Min(remaining, Block.Length);
            await stream.WriteAsync(Block.AsMemory(0, n));
            remaining -= n;
        }
    }

    protected override bool TryComputeLength(out long result)
    {
        result = length;
        return true;
    }

    private static byte[] CreateBlock()
    {
        var block = new byte[1 << 20];
        new Random(42).NextBytes(block);
        return block;
    }
}
