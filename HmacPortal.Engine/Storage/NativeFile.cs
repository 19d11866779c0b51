using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HmacPortal.Engine.Storage;

/// <summary>The few file-system calls .NET does not expose with the errors this server needs to see.</summary>
internal static partial class NativeFile
{
    private const int ReadOnly = 0;
    private const uint SyncFileRangeWrite = 2;
    private const int GetFlags = 3;
    private const int WriteOnly = 1;
    private const int CloseOnExec = 0x80000;
    private const int UnnamedMode = 0b110_100_000; // 0640
    private const int SetFlags = 4;
    private const int KeepSize = 0x01;
    private const int EmptyPath = 0x1000;
    private const uint StatxSize = 0x200;
    private const uint StatxBlocks = 0x400;
    private const int StatxSizeOffset = 40;
    private const int StatxBlocksOffset = 48;

    /// <summary>
    /// Reserves <paramref name="length"/> bytes for the file, so a full disk fails here, before any
    /// byte is received, with ENOSPC. Returns 0 or an errno; file systems that cannot reserve
    /// (EOPNOTSUPP, EINVAL) report 0 and fill as they go.
    /// </summary>
    public static int Reserve(SafeFileHandle file, long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        var error = posix_fallocate(file.DangerousGetHandle().ToInt32(), 0, length);
        return error is Errno.NoSpc or Errno.DQuot ? error : 0;
    }

    /// <summary>
    /// Reserves the <paramref name="length"/> bytes from <paramref name="offset"/> on without changing
    /// the file's length (<c>fallocate</c> with <c>FALLOC_FL_KEEP_SIZE</c>): the room for the rest of an
    /// upload that arrives over several requests. A full disk fails here with ENOSPC (or EDQUOT); the
    /// part of the range ext4 allocated before it ran out is then given back (a truncate to the
    /// file's own length frees what lies past it). The part already allocated costs nothing again.
    /// File systems that cannot reserve report 0 and fill as they go.
    /// </summary>
    public static int ReserveAhead(SafeFileHandle file, long offset, long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        var fd = file.DangerousGetHandle().ToInt32();
        if (fallocate(fd, KeepSize, offset, length) == 0)
        {
            return 0;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is not (Errno.NoSpc or Errno.DQuot))
        {
            return 0;
        }

        if (Status(fd) is { } status)
        {
            _ = ftruncate(fd, status.Size);
        }

        return error;
    }

    /// <summary>
    /// The bytes allocated to the file past its first <paramref name="end"/> bytes (rounded up to whole
    /// blocks): room an earlier <see cref="ReserveAhead"/> set aside that the volume no longer counts as
    /// free. 0 where the file system does not say.
    /// </summary>
    public static long AllocatedPast(SafeFileHandle file, long end)
    {
        if (Status(file.DangerousGetHandle().ToInt32()) is not { } status)
        {
            return 0;
        }

        var used = (end + status.BlockSize - 1) / status.BlockSize * status.BlockSize;
        return Math.Max(0, status.Allocated - used);
    }

    /// <summary>The file's length, its bytes allocated on disk and its block size (<c>statx</c>); null where not known.</summary>
    private static unsafe (long Size, long Allocated, long BlockSize)? Status(int fd)
    {
        // struct statx has the same 256-byte layout on every architecture; stx_blocks counts 512-byte units.
        var status = stackalloc byte[256];
        if (FileLinks.statx(fd, string.Empty, EmptyPath, StatxSize | StatxBlocks, status) != 0 || (*(uint*)status & (StatxSize | StatxBlocks)) != (StatxSize | StatxBlocks))
        {
            return null;
        }

        return ((long)*(ulong*)(status + StatxSizeOffset), (long)*(ulong*)(status + StatxBlocksOffset) * 512, Math.Max(1, *(uint*)(status + 4)));
    }

    /// <summary>
    /// Starts writing a range of the file to disk without waiting for it (Linux <c>sync_file_range</c>
    /// with <c>SYNC_FILE_RANGE_WRITE</c>). Done while a large upload is still arriving, it spreads the
    /// disk writes over the transfer so the final fsync has little left to wait for. Best effort.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long length) =>
        _ = sync_file_range(file.DangerousGetHandle().ToInt32(), offset, length, SyncFileRangeWrite);

    /// <summary>
    /// Turns writes that bypass the page cache (<c>O_DIRECT</c>) on or off for an open file. Returns
    /// whether the file is now in the asked mode: file systems without direct I/O refuse it.
    /// </summary>
    public static bool TrySetDirect(SafeFileHandle file, bool direct)
    {
        var fd = file.DangerousGetHandle().ToInt32();
        var flags = fcntl(fd, GetFlags, 0);
        if (flags < 0)
        {
            return false;
        }

        var wanted = direct ? flags | DirectFlag : flags & ~DirectFlag;
        return wanted == flags || fcntl(fd, SetFlags, wanted) == 0;
    }

    /// <summary>
    /// Whether files without a name (<c>O_TMPFILE</c>) can be named later: <c>/proc/self/fd</c> is
    /// there to name them through.
    /// </summary>
    public static bool UnnamedFilesWork { get; } = Directory.Exists("/proc/self/fd");

    // open(2) flags whose values differ between architectures: arm and powerpc have their own,
    // the others use the generic ones.
    private static readonly int DirectoryFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 or Architecture.Arm or Architecture.Ppc64le => 0x4000,
        _ => 0x10000,
    };

    private static readonly int DirectFlag = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        Architecture.Ppc64le => 0x20000,
        _ => 0x4000,
    };

    private static readonly int UnnamedFlag = 0x400000 | DirectoryFlag;

    /// <summary>
    /// Opens a new file without a name in <paramref name="directory"/> (<c>O_TMPFILE</c>), for
    /// writing, with mode 0640. Nothing of it is visible until <see cref="TryName"/>; if it is never
    /// named, closing it frees it. Returns 0 and the handle, or an errno: ENOENT when the directory
    /// is missing, and <see cref="IsUnnamedUnsupported"/> ones where the file system has no such files.
    /// </summary>
    public static int OpenUnnamed(string directory, out SafeFileHandle? file)
    {
        var fd = open(directory, UnnamedFlag | WriteOnly | CloseOnExec, UnnamedMode);
        if (fd < 0)
        {
            file = null;
            return Marshal.GetLastPInvokeError();
        }

        file = new SafeFileHandle(fd, ownsHandle: true);
        return 0;
    }

    /// <summary>Errors of <see cref="OpenUnnamed"/> that mean "not here": use a named temp file instead.</summary>
    public static bool IsUnnamedUnsupported(int errno) => errno is Errno.OpNotSupp or Errno.IsDir or Errno.Inval;

    /// <summary>
    /// Gives an unnamed file its name, never replacing anything: false when <paramref name="target"/>
    /// already exists, so of two racing writers exactly one gets the name.
    /// </summary>
    /// <exception cref="IOException">Any other failure, with its errno.</exception>
    public static bool TryName(SafeFileHandle file, string target) =>
        NoReplaceRename.TryLink($"/proc/self/fd/{file.DangerousGetHandle().ToInt32()}", target, followLink: true);

    /// <summary>Whether anything is at <paramref name="path"/> (a link counts, even a dangling one): one <c>lstat</c>.</summary>
    public static unsafe bool Exists(string path)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; only the result is wanted.
        var status = stackalloc byte[256];
        return lstat(path, status) == 0;
    }

    /// <summary>
    /// The bytes free for unprivileged users and the size of the file system that holds
    /// <paramref name="path"/>, from one <c>statvfs</c> (DriveInfo makes one per figure). Returns 0,
    /// or an errno (ENOENT when the path is missing).
    /// </summary>
    public static unsafe int Space(string path, out long available, out long total)
    {
        // struct statvfs is 112 bytes of unsigned longs on the 64-bit architectures .NET runs on:
        // f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, ...; the counts are in f_frsize units.
        var words = stackalloc ulong[16];
        if (statvfs(path, words) != 0)
        {
            available = total = 0;
            return Marshal.GetLastPInvokeError();
        }

        available = (long)(words[4] * words[1]);
        total = (long)(words[2] * words[1]);
        return 0;
    }

    /// <summary>fsync of a directory, so that a rename into it survives a power cut.</summary>
    public static void FlushDirectory(string directory)
    {
        var fd = open(directory, ReadOnly | DirectoryFlag, 0);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = fsync(fd);
        }
        finally
        {
            _ = close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statvfs(string path, ulong* buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int lstat(string path, byte* status);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc")]
    private static partial int posix_fallocate(int fd, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
