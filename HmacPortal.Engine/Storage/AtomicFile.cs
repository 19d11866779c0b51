using System.Text;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// Small files written so a reader sees the old content or the new, never a mix: a temp file in the
/// same directory, flushed to disk, then renamed over (or onto) the target. The temp file is
/// removed whatever happens.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read/write only, for files that hold secrets.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, replacing any existing file.</summary>
    /// <param name="flush">
    /// False skips the flush to disk: a reader still sees the old content or the new, but after a
    /// crash of the machine (not of the process) the file may be empty or missing. Only for files
    /// whose loss their reader survives.
    /// </param>
    public static void WriteAllText(string path, string text, UnixFileMode mode, bool flush = true) =>
        Write(path, text, mode, overwrite: true, flush);

    /// <summary>Creates <paramref name="path"/>; returns false, writing nothing, if it already exists.</summary>
    public static bool TryCreate(string path, string text, UnixFileMode mode)
    {
        try
        {
            Write(path, text, mode, overwrite: false, flush: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    private static void Write(string path, string text, UnixFileMode mode, bool overwrite, bool flush)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // Named like every other temp file, so one left by a kill in the storage tree (a session's
        // sidecar) is swept with the rest.
        var temp = Path.Combine(directory, $"{FileStore.TempPrefix}{Path.GetFileName(full)}.{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode };

            using (var stream = new FileStream(temp, options))
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: flush);
            }

            if (overwrite)
            {
                File.Move(temp, full, overwrite: true);
            }
            else
            {
                // A hard link fails when the target exists, so two racing creators cannot both win
                // (File.Move without overwrite checks and renames in two steps).
                if (!NoReplaceRename.TryLink(temp, full))
                {
                    throw new IOException($"{full} already exists");
                }
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
