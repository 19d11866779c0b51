using System.Diagnostics;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A size-limited tmpfs mounted by the test and removed with it, to run out of space for real.
/// Needs root, as the test command and CI run.
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    private readonly TempDirectory _dir = new();

    public SmallFileSystem(string size)
    {
        Path = _dir.Combine("mnt");
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", Path);
    }

    public string Path { get; }

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
