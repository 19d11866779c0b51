using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Resumable;

/// <summary>The real tus-js-client (npm, pinned in TusClient/package.json) uploading to a real server process.</summary>
public sealed class TusJsClientTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private static readonly int[] RetryDelays = [200, 500, 1000, 2000, 4000, 8000];
    private readonly TempDirectory _dir = new();

    private string Config(int port = 0) => _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[uploads]\nanonymous_resumable = true\n")
        .Replace("listen_address = \"0\"", $"listen_address = \"127.0.0.1:{port}\"", StringComparison.Ordinal));

    private string FileOf(long size)
    {
        var path = _dir.Combine($"source-{size}.bin");
        using var file = File.Create(path);
        var block = SignedUploads.Body(Math.Min(size, 1 << 20), seed: (int)(size % 1000));
        for (long written = 0; written < size; written += block.Length)
        {
            file.Write(block, 0, (int)Math.Min(block.Length, size - written));
        }

        return path;
    }

    private static async Task<List<JsonElement>> RunClientAsync(object options, Func<JsonElement, Task>? onEvent = null)
    {
        var client = RepositoryFiles.PathOf("HmacPortal.Tests", "TusClient");
        Assert.True(Directory.Exists(Path.Combine(client, "node_modules", "tus-js-client")), "tus-js-client is not installed: run the README's test command (it runs npm ci)");
        var info = new ProcessStartInfo("node") { WorkingDirectory = client, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("upload.mjs");
        info.ArgumentList.Add(JsonSerializer.Serialize(options));
        using var process = Process.Start(info)!;
        var events = new List<JsonElement>();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Wait);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            events.Add(element);
            if (onEvent is not null)
            {
                await onEvent(element);
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"tus-js-client failed: {string.Join('\n', events)} {await stderr}");
        return events;
    }

    private static async Task AssertStoredAsync(ServerProcess server, JsonElement done, string source)
    {
        var fileUrl = done.GetProperty("fileUrl").GetString()!;
        using var client = server.CreateClient();
        await using var stream = await client.GetStreamAsync(new Uri(fileUrl.TrimStart('/'), UriKind.Relative));
        Assert.Equal(await SHA256.HashDataAsync(File.OpenRead(source)), await SHA256.HashDataAsync(stream));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1024L)]
    [InlineData(5L << 20)]
    [InlineData(200L << 20)]
    public async Task Upload_OfEverySize_ArrivesIntact(long size)
    {
        await using var server = await ServerProcess.StartAsync(Config());
        var source = FileOf(size);

        var events = await RunClientAsync(new { endpoint = new Uri(server.BaseAddress, "files/").ToString(), file = source, name = "f.bin", chunkSize = 16 << 20 });

        await AssertStoredAsync(server, events.Single(e => e.TryGetProperty("done", out _)), source);
    }

    [Fact]
    public async Task ParallelUpload_OfFourParts_IsConcatenated()
    {
        await using var server = await ServerProcess.StartAsync(Config());
        var source = FileOf(12L << 20);

        var events = await RunClientAsync(new { endpoint = new Uri(server.BaseAddress, "files/").ToString(), file = source, name = "p.bin", parallelUploads = 4 });

        await AssertStoredAsync(server, events.Single(e => e.TryGetProperty("done", out _)), source);
    }

    [Fact]
    public async Task Upload_AbortedPartWay_ResumesFromTheServersOffset()
    {
        await using var server = await ServerProcess.StartAsync(Config());
        var source = FileOf(8L << 20);
        var endpoint = new Uri(server.BaseAddress, "files/").ToString();

        var first = await RunClientAsync(new { endpoint, file = source, name = "r.bin", chunkSize = 1 << 20, abortAfter = 3 << 20 });
        var url = first.Single(e => e.TryGetProperty("aborted", out _)).GetProperty("aborted").GetString()!;
        using var client = server.CreateClient();
        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        head.Headers.Add("Tus-Resumable", "1.0.0");
        using var offset = await client.SendAsync(head);
        Assert.True(long.Parse(offset.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 2 << 20);

        var second = await RunClientAsync(new { endpoint, file = source, name = "r.bin", chunkSize = 1 << 20, uploadUrl = url });

        Assert.DoesNotContain(second, e => e.TryGetProperty("progress", out var p) && p.GetInt64() < (2 << 20));
        await AssertStoredAsync(server, second.Single(e => e.TryGetProperty("done", out _)), source);
    }

    [Fact]
    public async Task Upload_WhileTheServerIsKilledAndRestarted_Completes()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = Config(port);
        var source = FileOf(40L << 20);
        var server = await ServerProcess.StartAsync(config);
        try
        {
            var restarted = false;
            var events = await RunClientAsync(
                new { endpoint = $"http://127.0.0.1:{port}/files/", file = source, name = "k.bin", chunkSize = 4 << 20, retryDelays = RetryDelays },
                async e =>
                {
                    if (!restarted && e.TryGetProperty("progress", out var progress) && progress.GetInt64() >= 12L << 20)
                    {
                        restarted = true;
                        server.Crash();
                        await server.WaitForExitAsync(Wait);
                        await server.DisposeAsync();
                        server = await ServerProcess.StartAsync(config);
                    }
                });

            Assert.True(restarted);
            await AssertStoredAsync(server, events.Single(e => e.TryGetProperty("done", out _)), source);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
