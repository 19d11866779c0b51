using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// Moves a file to a name that must not exist yet, atomically: the kernel decides, so of two
/// racing writers exactly one wins and the other learns the name was taken. Uses
/// <c>renameat2(RENAME_NOREPLACE)</c>, and <c>link</c> + <c>unlink</c> on file systems without it.
/// </summary>
public static partial class NoReplaceRename
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int AtSymlinkFollow = 0x400;

    /// <summary>Returns false when <paramref name="target"/> already exists; the source is then left in place.</summary>
    /// <exception cref="IOException">Any other failure (missing source, no space, permissions).</exception>
    public static bool TryMove(string source, string target)
    {
        if (renameat2(AtFdCwd, source, AtFdCwd, target, RenameNoReplace) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == Errno.Exist)
        {
            return false;
        }

        if (error is not (Errno.Inval or Errno.NoSys or Errno.OpNotSupp))
        {
            throw Failure("rename", error);
        }

        if (!TryLink(source, target))
        {
            return false;
        }

        File.Delete(source);
        return true;
    }

    /// <summary>Creates a second name for a file; false when <paramref name="target"/> exists.</summary>
    /// <param name="followLink">
    /// Name what a link at <paramref name="source"/> points to rather than the link itself
    /// (<c>AT_SYMLINK_FOLLOW</c>), as <c>/proc/self/fd/N</c> needs to name an unnamed file.
    /// </param>
    public static bool TryLink(string source, string target, bool followLink = false)
    {
        if (linkat(AtFdCwd, source, AtFdCwd, target, followLink ? AtSymlinkFollow : 0) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == Errno.Exist ? false : throw Failure("link", error);
    }

    private static IOException Failure(string operation, int errno) =>
        new($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);
}
