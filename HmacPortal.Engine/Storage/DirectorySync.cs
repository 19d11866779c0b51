using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// fsync of a directory, so that a rename into it survives a power cut: without it the file's data
/// is on disk but its new name may not be.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000;

    public static void Flush(string directory)
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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
