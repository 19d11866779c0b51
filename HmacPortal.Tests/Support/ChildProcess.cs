using System.Diagnostics;

namespace HmacPortal.Tests.Support;

/// <summary>Starts a server program the tests run for real (clamd, redis-server, nginx), its output drained so it never blocks on a full pipe.</summary>
public static class ChildProcess
{
    public static Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
