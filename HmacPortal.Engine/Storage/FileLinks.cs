using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// What deduplication needs from the file system and .NET does not expose: a file's identity and
/// link count (Linux <c>statx</c>, whose layout is the same on every architecture), and an atomic
/// exchange of two names (<c>renameat2(RENAME_EXCHANGE)</c>), which fails rather than creating a
/// name that was removed meanwhile.
/// </summary>
public static partial class FileLinks
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const uint RenameExchange = 2;

    /// <summary>The identity of the file at <paramref name="path"/> (not following a symbolic link), or null if there is none.</summary>
    public static unsafe FileIdentity? Identify(string path)
    {
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == Errno.NoEnt ? null : throw Failure("statx", error);
        }

        var stat = new ReadOnlySpan<byte>(buffer, 256);
        return new FileIdentity(
            Device: ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(stat[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(stat[140..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(stat[32..]),
            Links: BinaryPrimitives.ReadUInt32LittleEndian(stat[16..]),
            Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(stat[40..]));
    }

    /// <summary>Swaps what two names point at, atomically; false when either no longer exists.</summary>
    /// <exception cref="IOException">Any other failure.</exception>
    public static bool TryExchange(string first, string second)
    {
        if (renameat2(AtFdCwd, first, AtFdCwd, second, RenameExchange) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == Errno.NoEnt ? false : throw Failure("rename", error);
    }

    /// <summary>Whether an I/O failure was a link across file systems.</summary>
    public static bool IsCrossDevice(IOException ex) => ex.HResult == Errno.XDev;

    private static IOException Failure(string operation, int errno) =>
        new($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    /// <summary>Linux <c>statx</c>; its 256-byte result has the same layout on every architecture.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int statx(int dirfd, string pathname, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
}
