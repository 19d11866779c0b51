using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HmacPortal.Engine.Storage;

/// <summary>The few file-system calls .NET does not expose with the errors this server needs to see.</summary>
internal static partial class NativeFile
{
    public const int ENoSpc = 28;
    public const int EDQuot = 122;
    private const int ReadOnly = 0;
    private const int Directory = 0x10000;
    private const uint SyncFileRangeWrite = 2;
    private const int GetFlags = 3;
    private const int SetFlags = 4;

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
        return error is ENoSpc or EDQuot ? error : 0;
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
    /// whether the file is now in the asked mode: file systems without direct I/O refuse it, and so
    /// does an architecture whose flag value is not known here.
    /// </summary>
    public static bool TrySetDirect(SafeFileHandle file, bool direct)
    {
        var flag = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x4000,
            Architecture.Arm64 or Architecture.Arm => 0x10000,
            _ => 0,
        };
        if (flag == 0)
        {
            return !direct;
        }

        var fd = file.DangerousGetHandle().ToInt32();
        var flags = fcntl(fd, GetFlags, 0);
        if (flags < 0)
        {
            return false;
        }

        var wanted = direct ? flags | flag : flags & ~flag;
        return wanted == flags || fcntl(fd, SetFlags, wanted) == 0;
    }

    /// <summary>Whether anything is at <paramref name="path"/> (a link counts, even a dangling one): one <c>lstat</c>.</summary>
    public static unsafe bool Exists(string path)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; only the result is wanted.
        var status = stackalloc byte[256];
        return lstat(path, status) == 0;
    }

    /// <summary>fsync of a directory, so that a rename into it survives a power cut.</summary>
    public static void FlushDirectory(string directory)
    {
        var fd = open(directory, ReadOnly | Directory);
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
    private static partial int open(string path, int flags);

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
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
