using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Bench;

/// <summary>A server under test on loopback: how to address uploads to it and how much memory it holds.</summary>
internal abstract class Target : IAsyncDisposable
{
    protected Process? Process { get; set; }

    public abstract string Name { get; }

    public Uri BaseAddress { get; protected set; } = new("http://127.0.0.1/");

    /// <summary>An upload of <paramref name="length"/> bytes to <paramref name="path"/>: a plain PUT unless the server wants more.</summary>
    public virtual HttpRequestMessage Put(string path, long length) =>
        new(HttpMethod.Put, path) { Content = new PatternContent(length) };

    /// <summary>Where an uploaded <paramref name="path"/> is downloaded from.</summary>
    public virtual string GetPath(string path) => path;

    /// <summary>Resident memory of the server's process tree, in bytes.</summary>
    public long ResidentBytes()
    {
        if (Process is null || Process.HasExited)
        {
            return 0;
        }

        long total = 0;
        foreach (var pid in ProcessTree(Process.Id))
        {
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status))
            {
                continue;
            }

            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
            {
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return total;
    }

    private static IEnumerable<int> ProcessTree(int root)
    {
        yield return root;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != root)
            {
                string? stat = null;
                try
                {
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (IOException)
                {
                }

                var fields = stat?[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields is not null && fields.Length > 1 && fields[1] == root.ToString(CultureInfo.InvariantCulture))
                {
                    yield return pid;
                }
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is { HasExited: false })
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process?.Dispose();
    }

    protected static async Task WaitForPortAsync(int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}

/// <summary>nginx with <c>dav_methods PUT</c>: the reference a plain web server sets.</summary>
internal sealed class NginxTarget : Target
{
    public override string Name => "nginx";

    public static async Task<NginxTarget> StartAsync(string workDir)
    {
        var port = FreePort();
        // nginx started as root runs its workers as an unprivileged user: let them write here.
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(workDir, open);
        var root = Directory.CreateDirectory(Path.Combine(workDir, "nginx-root")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(workDir, "nginx-temp")).FullName;
        File.SetUnixFileMode(root, open);
        File.SetUnixFileMode(temp, open);
        var conf = Path.Combine(workDir, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            daemon off;
            worker_processes 2;
            pid {{workDir}}/nginx.pid;
            error_log {{workDir}}/nginx-error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                client_body_temp_path {{temp}};
                client_max_body_size 4g;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location / {
                        dav_methods PUT;
                        create_full_put_path on;
                        dav_access user:rw;
                    }
                }
            }
            """);
        var target = new NginxTarget { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        target.Process = System.Diagnostics.Process.Start(new ProcessStartInfo("nginx", ["-c", conf, "-p", workDir]) { UseShellExecute = false });
        await WaitForPortAsync(port);
        return target;
    }
}

/// <summary>HmacPortal's release build, uploads signed with v.</summary>
internal sealed class HmacPortalTarget : Target
{
    private const string Secret = "bench-secret-0123456789abcdef0123";

    public override string Name => "HmacPortal";

    public string ConfigPath { get; private init; } = string.Empty;

    /// <summary>The server process's id, for reading its /proc figures.</summary>
    public int ProcessId => Process?.Id ?? 0;

    private const int KeptPerLevel = 5;
    private const int TraceLines = 4;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _kept = new();
    private int _warnings;
    private int _errors;
    private int _traceLeft;

    /// <summary>How many warnings the server logged (the server logs at <c>warn</c> here).</summary>
    public int Warnings => Volatile.Read(ref _warnings);

    /// <summary>How many errors (and fatal errors) the server logged.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>The first few warnings and errors, each with the start of its exception.</summary>
    public IReadOnlyCollection<string> FirstLogged => _kept;

    /// <summary>Takes one line of the server's console (lines arrive one at a time, in order).</summary>
    private void Logged(string? line)
    {
        if (line is null)
        {
            return;
        }

        var count = line.Contains(" ERR] ", StringComparison.Ordinal) || line.Contains(" FTL] ", StringComparison.Ordinal) ? Interlocked.Increment(ref _errors)
            : line.Contains(" WRN] ", StringComparison.Ordinal) ? Interlocked.Increment(ref _warnings)
            : 0;
        if (count is > 0 and <= KeptPerLevel)
        {
            _kept.Enqueue(line);
            _traceLeft = TraceLines;
        }
        else if (count == 0 && _traceLeft > 0)
        {
            _kept.Enqueue("    " + line.Trim());
            _traceLeft--;
        }
        else
        {
            _traceLeft = 0;
        }
    }

    public static async Task<HmacPortalTarget> StartAsync(string workDir, string serverDll, string extraToml = "", string serverToml = "")
    {
        var port = FreePort();
        var config = Path.Combine(workDir, "hmacportal.toml");
        await File.WriteAllTextAsync(config, $"""
            [server]
            listen_address = "127.0.0.1:{port}"
            storage_path = "{workDir}/hmacportal-files"
            data_path = "{workDir}/hmacportal-state"
            max_upload_size = "4GB"
            min_free_bytes = "1GB"
            {serverToml}

            [security]
            secret = "{Secret}"

            [uploads]
            anonymous_resumable = true

            [logging]
            level = "warn"

            """ + extraToml);
        var info = new ProcessStartInfo("dotnet", [serverDll, "--config", config]) { UseShellExecute = false, RedirectStandardOutput = true };

        // The memory settings the systemd unit (docs/DEPLOYMENT.md) and `dotnet run`
        // (HmacPortal/Properties/launchSettings.json) start the server with.
        info.Environment["MALLOC_ARENA_MAX"] = "2";
        info.Environment["DOTNET_GCgen0size"] = "0x1000000";
        var target = new HmacPortalTarget { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), ConfigPath = config };
        target.Process = System.Diagnostics.Process.Start(info);
        target.Process!.OutputDataReceived += (_, e) => target.Logged(e.Data);
        target.Process.BeginOutputReadLine();
        await WaitForPortAsync(port);
        return target;
    }

    public override HttpRequestMessage Put(string path, long length)
    {
        var signed = path.TrimStart('/');
        var mac = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{signed} {length}")));
        return new HttpRequestMessage(HttpMethod.Put, $"/upload/{signed}?v={mac}") { Content = new PatternContent(length) };
    }

    public override string GetPath(string path) => "/upload/" + path.TrimStart('/');
}

/// <summary>
/// bench/DurablePut: a bare Kestrel handler that stores each body durably (flushed temp file,
/// rename without overwrite, flushed directory) and does nothing else (or less: BENCH_FLOOR). Not a server anyone would
/// run: it measures what the platform and the flushes alone allow here, in the same run.
/// </summary>
internal sealed class DurablePutTarget : Target
{
    public override string Name => "DurablePut";

    public static async Task<DurablePutTarget> StartAsync(string workDir, string dll, string mode)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll, port.ToString(CultureInfo.InvariantCulture), Path.Combine(workDir, "durableput-files"), mode]) { UseShellExecute = false };

        // HmacPortal's memory settings, so that the two differ only in what their handlers do.
        info.Environment["MALLOC_ARENA_MAX"] = "2";
        info.Environment["DOTNET_GCgen0size"] = "0x1000000";
        var target = new DurablePutTarget { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        target.Process = System.Diagnostics.Process.Start(info);
        await WaitForPortAsync(port);
        return target;
    }
}
