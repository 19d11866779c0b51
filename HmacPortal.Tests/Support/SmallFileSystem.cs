using System.Diagnostics;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A size-limited file system mounted by the test and removed with it, to run out of space for
/// real: a tmpfs, or an ext4 image on a loop device where the behaviour of a real disk's file
/// system matters. Needs root, as the test command and CI run.
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <param name="size">As mount and truncate read it: "2m".</param>
    /// <param name="ext4">An ext4 image on a loop device instead of a tmpfs.</param>
    public SmallFileSystem(string size, bool ext4 = false)
    {
        Path = _dir.Combine("mnt");
        Directory.CreateDirectory(Path);
        if (ext4)
        {
            var image = _dir.Combine("volume.img");
            Run("truncate", "-s", size, image);
            Run("mkfs.ext4", "-q", "-F", image);
            Run("mount", "-o", "loop", image, Path);
        }
        else
        {
            Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", Path);
        }
    }

    public string Path { get; }

    /// <summary>Mounts the file system again read-only: every write fails with EROFS, root's too.</summary>
    public void MakeReadOnly() => Run("mount", "-o", "remount,ro", Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _dir.Dispose();
    }

    private static void Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}
