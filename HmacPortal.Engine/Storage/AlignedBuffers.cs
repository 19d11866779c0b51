using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// Copy buffers whose start sits on a 4 KiB boundary and never moves, as writes that bypass the
/// page cache (<c>O_DIRECT</c>) require. The arrays live on the pinned object heap; a few are kept
/// for reuse, so an upload neither allocates nor touches fresh memory for its buffer.
/// </summary>
internal static class AlignedBuffers
{
    /// <summary>The boundary every direct write's memory, offset and length keep to.</summary>
    public const int Alignment = 4096;

    private static readonly int Kept = Math.Max(8, Environment.ProcessorCount * 8);
    private static readonly ConcurrentBag<byte[]> Free = [];

    /// <summary>A buffer of <see cref="BodyCopier.BufferSize"/> bytes starting on the boundary.</summary>
    public static Lease Rent()
    {
        if (!Free.TryTake(out var array))
        {
            array = GC.AllocateUninitializedArray<byte>(BodyCopier.BufferSize + Alignment, pinned: true);
        }

        return new Lease(array, OffsetToBoundary(array));
    }

    public static void Return(Lease lease)
    {
        if (Free.Count < Kept)
        {
            Free.Add(lease.Array);
        }
    }

    private static unsafe int OffsetToBoundary(byte[] array)
    {
        // Safe without fixed: pinned-heap arrays never move.
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (int)((Alignment - (address % Alignment)) % Alignment);
    }

    /// <summary>The aligned <see cref="BodyCopier.BufferSize"/> bytes of a rented array.</summary>
    public readonly record struct Lease(byte[] Array, int Offset)
    {
        public Span<byte> Span => Array.AsSpan(Offset, BodyCopier.BufferSize);
    }
}
