using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A real clamd (Debian's clamav-daemon, installed by test.sh) on a private Unix socket, with a
/// signature database written here: the MD5 of the EICAR test file, since the official databases
/// cannot be downloaded. Stopped and started again by the tests that need clamd to go away.
/// </summary>
public sealed class ClamdProcess : IDisposable
{
    public const string Clamd = "/usr/sbin/clamd";

    /// <summary>What clamd reports for <see cref="Eicar"/>: the signature's name and the suffix clamd adds to databases it did not sign.</summary>
    public const string Signature = "HmacPortal-Test-EICAR.UNOFFICIAL";

    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _dir = new();
    private Process? _process;

    private ClamdProcess()
    {
        Directory.CreateDirectory(_dir.Combine("db"));

        // clamd's hash signature format (.hdb) names files by their MD5; nothing here relies on MD5 for security.
#pragma warning disable CA5351
        File.WriteAllText(_dir.Combine("db", "test.hdb"), $"{Convert.ToHexStringLower(MD5.HashData(Eicar))}:{Eicar.Length}:HmacPortal-Test-EICAR\n");
#pragma warning restore CA5351
        File.WriteAllText(_dir.Combine("clamd.conf"), $"""
            Foreground yes
            LocalSocket {SocketPath}
            DatabaseDirectory {_dir.Combine("db")}
            LogFile {_dir.Combine("clamd.log")}
            StreamMaxLength 1M
            """);
    }

    /// <summary>The EICAR anti-virus test file, which every scanner is meant to report and which is harmless.</summary>
    public static byte[] Eicar { get; } = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    public string SocketPath => _dir.Combine("clamd.sock");

    /// <summary>clamd's StreamMaxLength here: longer streams are refused by clamd itself.</summary>
    public const long StreamMaxLength = 1 << 20;

    public static async Task<ClamdProcess> StartAsync()
    {
        Assert.True(File.Exists(Clamd), "clamd is not installed: run the README's test command (it installs clamav-daemon)");
        var clamd = new ClamdProcess();
        await clamd.StartAgainAsync();
        return clamd;
    }

    /// <summary>Starts clamd (again) and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        File.Delete(SocketPath);
        _process = ChildProcess.Start(Clamd, "-c", _dir.Combine("clamd.conf"));
        var started = Stopwatch.StartNew();
        while (!await PingAsync())
        {
            Assert.False(_process.HasExited, $"clamd exited: {ReadLog()}");
            Assert.True(started.Elapsed < StartWait, $"clamd did not answer within {StartWait}: {ReadLog()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops clamd as a crash would (SIGKILL), leaving its socket file behind.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            await socket.SendAsync("zPING\0"u8.ToArray());
            var reply = new byte[16];
            var read = await socket.ReceiveAsync(reply);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private string ReadLog() => File.Exists(_dir.Combine("clamd.log")) ? File.ReadAllText(_dir.Combine("clamd.log")) : "(no log)";

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        _dir.Dispose();
    }
}
