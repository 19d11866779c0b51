using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Hosting;

/// <summary>The server as a real process: first start, signals, PID file, Unix socket, log file.</summary>
public sealed class LifecycleTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task FirstStart_WithoutConfig_WritesPrivateConfigAndPrintsPasswordOnce()
    {
        var path = _dir.Combine("etc", "config.toml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        string password;
        await using (var first = await ServerProcess.StartAsync(path))
        {
            using var client = first.CreateClient();
            Assert.Equal("OK", await client.GetStringAsync(new Uri("health", UriKind.Relative)));
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(ExitTimeout));
            var line = first.Output.Split('\n').Single(l => l.StartsWith("Admin password", StringComparison.Ordinal));
            password = line[(line.LastIndexOf(' ') + 1)..];
            Assert.Contains($"Configuration: {path}", first.Output, StringComparison.Ordinal);
            Assert.Contains($"HmacPortal listening on {first.BaseAddress.ToString().TrimEnd('/')}", first.Output, StringComparison.Ordinal);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var text = await File.ReadAllTextAsync(path);
        Assert.Matches("secret = \"[0-9a-f]{64}\"", text);
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_dir.Combine("etc", "data", "files")), "storage_path is relative to the config file");

        // A later start uses the file as it is and shows no password.
        await using var second = await ServerProcess.StartAsync(path);
        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(ExitTimeout));
        Assert.DoesNotContain("Admin password", second.Output, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Start_WithBrokenConfig_ExitsOneAndNamesEveryProblem()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"loud\"\nsize = 3\n"));

        await using var server = ServerProcess.Launch(["--config", path]);

        Assert.Equal(1, await server.WaitForExitAsync(ExitTimeout));
        Assert.Contains("unknown key [logging] size", server.Output, StringComparison.Ordinal);
        Assert.Contains("not starting", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_RemovesPidFileAndExitsZero()
    {
        var pidFile = _dir.Combine("run", "hmacportal.pid");
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, server: $"pidfilepath = \"{pidFile}\""));

        await using var server = await ServerProcess.StartAsync(path);
        Assert.Equal(server.Id.ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(pidFile)).Trim());

        server.Terminate();

        Assert.Equal(0, await server.WaitForExitAsync(ExitTimeout));
        Assert.False(File.Exists(pidFile));
    }

    [Fact]
    public async Task Sigterm_DuringSlowUpload_LetsItFinishThenExitsZero()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[timeouts]\nshutdown = \"60s\"\n"));
        await using var server = await ServerProcess.StartAsync(path);
        var body = SignedUploads.Body(2_000_000);
        var target = $"/upload/slow/upload.bin?v={TestSigner.V(SignedUploads.Secret, "slow/upload.bin", body.Length)}";
        await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
        await connection.SendAsync($"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
        await connection.SendAsync(body[..1_000_000]);

        server.Terminate();
        await server.WaitForOutputAsync("Application is shutting down", ExitTimeout);
        await connection.SendAsync(body[1_000_000..]);
        var (status, _) = await connection.ReadHeadAsync();

        Assert.Equal(201, status);
        Assert.Equal(0, await server.WaitForExitAsync(ExitTimeout));
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("files", "slow", "upload.bin")));
    }

    [Fact]
    public async Task HotEdit_AppliesWithoutRestart_AndBrokenEditKeepsLastGoodConfig()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, server: "max_upload_size = \"1MB\""));
        await using var server = await ServerProcess.StartAsync(path);
        using var client = server.CreateClient();
        using (var before = await client.SendAsync(SignedUploads.SignedPut("hot/a.bin", SignedUploads.Body(2_000_000))))
        {
            Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, before.StatusCode);
        }

        await File.WriteAllTextAsync(path, TestFiles.MinimalConfig(_dir.Path, server: "max_upload_size = \"4MB\""));
        await server.WaitForOutputAsync("changed; the new settings are in force", ExitTimeout);
        using (var after = await client.SendAsync(SignedUploads.SignedPut("hot/b.bin", SignedUploads.Body(2_000_000))))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, after.StatusCode);
        }

        await File.WriteAllTextAsync(path, TestFiles.MinimalConfig(_dir.Path, server: "max_upload_size = \"1MB\"\nmax_uplod_size = \"1MB\""));
        await server.WaitForOutputAsync("was rejected; the last good settings stay in force", ExitTimeout);
        Assert.Contains("unknown key [server] max_uplod_size (did you mean [server] max_upload_size?)", server.Output, StringComparison.Ordinal);
        using (var still = await client.SendAsync(SignedUploads.SignedPut("hot/c.bin", SignedUploads.Body(2_000_000))))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, still.StatusCode);
        }
    }

    [Fact]
    public async Task LogFile_RollsAtMaxSizeAndKeepsMaxBackups()
    {
        var log = _dir.Combine("log", "hmacportal.log");
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, $"[logging]\nfile = \"{log}\"\nmax_size = \"1KB\"\nmax_backups = 1\n"));

        await using (var server = await ServerProcess.StartAsync(path))
        {
            using var client = server.CreateClient();
            for (var i = 0; i < 40; i++)
            {
                await client.GetStringAsync(new Uri("health", UriKind.Relative));
            }

            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(ExitTimeout));
        }

        var files = Directory.GetFiles(Path.GetDirectoryName(log)!);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 1024 + 512, $"{f} is {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public async Task Sigterm_WithAStuckUpload_StopsWhenTheShutdownTimeoutEnds()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[timeouts]\nshutdown = \"2s\"\nmin_request_rate = \"0B\"\n"));
        await using var server = await ServerProcess.StartAsync(path);
        var target = $"/upload/stuck/never.bin?v={TestSigner.V(SignedUploads.Secret, "stuck/never.bin", 1000)}";
        await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
        await connection.SendAsync($"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
        await connection.SendAsync(new byte[10]);

        server.Terminate();

        // The upload never completes; the process must not wait for it beyond [timeouts] shutdown.
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(_dir.Combine("files", "stuck", "never.bin")));
    }

    [Theory]
    [InlineData(true, "203.0.113.9")]
    [InlineData(false, "127.0.0.1")]
    public async Task XForwardedFor_CountsOnlyFromTrustedProxies(bool trusted, string expectedClient)
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, server: trusted ? "trusted_proxies = [\"127.0.0.1\", \"::1\"]" : string.Empty));
        await using var server = await ServerProcess.StartAsync(path);
        using var client = server.CreateClient();
        using var put = SignedUploads.SignedPut("proxy/a.bin", SignedUploads.Body(10));
        put.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await client.SendAsync(put);
        await server.WaitForOutputAsync("Stored proxy/a.bin", ExitTimeout);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.Contains($"Stored proxy/a.bin (10 bytes, v) from {expectedClient}", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnixSocket_ServesRequests()
    {
        var socket = _dir.Combine("run", "http.sock");
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path).Replace(
            "listen_address = \"0\"", $"listen_address = \"{socket}\"\nunixsocket = true", StringComparison.Ordinal));

        await using var server = await ServerProcess.StartAsync(path);
        Assert.Contains($"HmacPortal listening on http://unix:{socket}", server.Output, StringComparison.Ordinal);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://localhost/") };

        var answer = await client.GetStringAsync(new Uri("health", UriKind.Relative));

        Assert.Equal("OK", answer);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(ExitTimeout));
    }

    [Fact]
    public async Task LogFile_RecordsRequestsWithoutSecrets()
    {
        var log = _dir.Combine("log", "hmacportal.log");
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, $"[logging]\nfile = \"{log}\"\nmax_size = \"1MB\"\nmax_backups = 2\n"));

        await using (var server = await ServerProcess.StartAsync(path))
        {
            using var client = server.CreateClient();
            await client.GetStringAsync(new Uri("health?v=deadbeef", UriKind.Relative));
            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(ExitTimeout));
        }

        var logFile = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(log)!));
        var text = await File.ReadAllTextAsync(logFile);
        Assert.Contains("HTTP GET /health responded 200", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test-secret-0123456789abcdef", text, StringComparison.Ordinal);
        Assert.DoesNotContain("deadbeef", text, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
