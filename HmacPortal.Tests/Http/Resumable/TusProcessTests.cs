using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Resumable;

/// <summary>tus against a real server process: a stale connection, and a crash in the middle of a PATCH.</summary>
public sealed class TusProcessTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public TusProcessTests()
    {
        _config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[uploads]\nanonymous_resumable = true\n[logging]\nlevel = \"debug\"\n"));
    }

    private static async Task<string> CreateAsync(HttpClient client, long length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "files/");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("big.bin")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private static async Task<long> OffsetAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url.TrimStart('/'));
        request.Headers.Add("Tus-Resumable", "1.0.0");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, long offset, byte[] data)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url.TrimStart('/')) { Content = new ByteArrayContent(data) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream");
        return await client.SendAsync(request);
    }

    private static string PatchHead(string url, long offset, long length) =>
        $"PATCH {url} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n" +
        $"Content-Type: application/offset+octet-stream\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n";

    [Fact]
    public async Task NewPatch_TakesOverFromAStaleOne_KeepingItsBytes()
    {
        var data = SignedUploads.Body(4_000_000);
        await using var server = await ServerProcess.StartAsync(_config);
        using var client = server.CreateClient();
        var url = await CreateAsync(client, data.Length);

        // A connection that stopped sending part way, as after a network drop the server has not noticed.
        await using var stale = await RawHttpConnection.OpenAsync(server.BaseAddress);
        await stale.SendAsync(PatchHead(url, 0, data.Length));
        Assert.Equal(100, (await stale.ReadHeadAsync()).Status);
        await stale.SendAsync(data[..1_000_000]);
        await WaitUntilAsync(() => new FileInfo(DataFile(url)).Length > 0);

        // The client reconnects and retries from what it last knew: it is not locked out (no 423);
        // the stale request is stopped and its bytes kept, so the retry is told the real offset.
        using (var retry = await PatchAsync(client, url, 0, data))
        {
            Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        }

        // Whatever had arrived when the stale request was stopped is kept (the rest was still in flight).
        var offset = await OffsetAsync(client, url);
        Assert.InRange(offset, 1, 1_000_000);
        using var rest = await PatchAsync(client, url, offset, data[(int)offset..]);
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        var fileUrl = rest.Headers.GetValues("Upload-File-Url").Single();
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await client.GetByteArrayAsync(new Uri(fileUrl.TrimStart('/'), UriKind.Relative))));

        // The upload URL is a capability: the request log shows only the start of its id.
        var id = url.Split('/').Last();
        await server.WaitForOutputAsync($"HTTP PATCH /files/{id[..8]}…", Wait);
        Assert.DoesNotContain(id, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill9_MidPatch_ResumesFromAnOffsetWhoseBytesAreOnDisk()
    {
        var data = SignedUploads.Body(20_000_000);
        string url;
        await using (var server = await ServerProcess.StartAsync(_config))
        {
            using var client = server.CreateClient();
            url = await CreateAsync(client, data.Length);
            await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
            await connection.SendAsync(PatchHead(url, 0, data.Length));
            Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
            await connection.SendAsync(data[..12_000_000]);

            // Progress is recorded every 8 MiB while the PATCH streams; wait until the first is.
            var progress = Path.ChangeExtension(DataFile(url), ".live");
            await WaitUntilAsync(() => RecordedOffset(progress) >= 8L << 20);

            server.Crash();
            await server.WaitForExitAsync(Wait);
        }

        await using var restarted = await ServerProcess.StartAsync(_config);
        using var again = restarted.CreateClient();
        var offset = await OffsetAsync(again, url);
        Assert.InRange(offset, 8L << 20, 12_000_000);

        using var rest = await PatchAsync(again, url, offset, data[(int)offset..]);

        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        var fileUrl = rest.Headers.GetValues("Upload-File-Url").Single();
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await again.GetByteArrayAsync(new Uri(fileUrl.TrimStart('/'), UriKind.Relative))));
    }

    private static long RecordedOffset(string progress)
    {
        try
        {
            // A progress record is its JSON's SHA-256 on the first line, then the JSON.
            var text = File.ReadAllText(progress);
            using var json = System.Text.Json.JsonDocument.Parse(text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
            return json.RootElement.GetProperty("Session").GetProperty("Offset").GetInt64();
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return 0;
        }
    }

    private string DataFile(string url) => Path.Combine(_dir.Path, "files", ".hmacportal-sessions", url.Split('/').Last() + ".bin");

    /// <summary>Waits for a state only the file system shows (the server reports no event for it), bounded in time.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public void Dispose() => _dir.Dispose();
}
