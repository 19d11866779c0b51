using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Resumable;

/// <summary>The Go server's chunked API (<c>/chunked-upload</c>, <c>/upload-status</c>) on the session store.</summary>
public sealed class ChunkedApiTests : IDisposable
{
    private const string JwtSecret = "jwt-secret-0123456789abcdef";
    private const int ChunkSize = 1024;
    private readonly HmacPortalFactory _factory = new(
        "[uploads]\nchunk_size = \"1KB\"\nmaxretries = 2\nsessiontimeout = \"1h\"\n",
        server: "max_upload_size = \"1MB\"",
        security: $"enablejwt = true\njwtsecret = \"{JwtSecret}\"");
    private readonly HttpClient _client;

    public ChunkedApiTests()
    {
        _client = _factory.CreateClient();
    }

    private static HttpRequestMessage Open(string fileName, long totalSize, string query, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/chunked-upload" + (query.Length > 0 ? "?" + query : string.Empty));
        request.Headers.TryAddWithoutValidation("X-Filename", fileName);
        request.Headers.Add("X-Total-Size", totalSize.ToString(CultureInfo.InvariantCulture));
        configure?.Invoke(request);
        return request;
    }

    private static string SignedQuery(string path, long size) => "v=" + TestSigner.V(SignedUploads.Secret, path, size);

    private async Task<JsonElement> OpenAsync(string path, long size)
    {
        using var response = await _client.SendAsync(Open(path, size, SignedQuery(path, size)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> ChunkAsync(string session, string number, byte[] data, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Put, "/chunked-upload") { Content = new ByteArrayContent(data) };
        request.Headers.Add("X-Upload-Session-ID", session);
        request.Headers.Add("X-Chunk-Number", number);
        return _client.SendAsync(request);
    }

    private static byte[] Chunk(byte[] body, int number) => body[(number * ChunkSize)..Math.Min(body.Length, (number + 1) * ChunkSize)];

    private async Task<JsonElement> StatusAsync(string session)
    {
        using var response = await _client.GetAsync(new Uri($"/upload-status?session_id={session}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_InAnyOrder_IsCommittedWhole_WithTheGoServersAnswers()
    {
        var body = SignedUploads.Body((2 * ChunkSize) + 500, seed: 7);
        var opened = await OpenAsync("room/report.bin", body.Length);
        var session = opened.GetProperty("session_id").GetString()!;
        Assert.Equal(ChunkSize, opened.GetProperty("chunk_size").GetInt64());
        Assert.Equal(3, opened.GetProperty("total_chunks").GetInt32());
        Assert.False(opened.GetProperty("completed").GetBoolean());

        using (var last = await ChunkAsync(session, "2", Chunk(body, 2)))
        {
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
            var answer = await last.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(answer.GetProperty("success").GetBoolean());
            Assert.Equal(2, answer.GetProperty("chunk").GetInt32());
            Assert.Equal(500, answer.GetProperty("uploaded_bytes").GetInt64());
            Assert.Equal(body.Length, answer.GetProperty("total_size").GetInt64());
            Assert.False(answer.GetProperty("completed").GetBoolean());
        }

        using (var first = await ChunkAsync(session, "0", Chunk(body, 0), HttpMethod.Post))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var status = await StatusAsync(session);
        Assert.Equal(session, status.GetProperty("session_id").GetString());
        Assert.Equal("report.bin", status.GetProperty("filename").GetString());
        Assert.Equal(1524, status.GetProperty("uploaded_bytes").GetInt64());
        Assert.Equal(2, status.GetProperty("chunks").GetInt32());
        Assert.False(status.GetProperty("completed").GetBoolean());
        Assert.Equal(_factory.Clock.GetUtcNow(), status.GetProperty("last_activity").GetDateTimeOffset());

        using (var again = await ChunkAsync(session, "0", Chunk(body, 0)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var answer = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Chunk already uploaded", answer.GetProperty("message").GetString());
            Assert.Equal(0, answer.GetProperty("chunk").GetInt32());
        }

        using (var middle = await ChunkAsync(session, "1", Chunk(body, 1)))
        {
            Assert.Equal(HttpStatusCode.OK, middle.StatusCode);
            var done = await middle.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(done.GetProperty("completed").GetBoolean());
            Assert.Equal("report.bin", done.GetProperty("filename").GetString());
            Assert.Equal(body.Length, done.GetProperty("size").GetInt64());
            Assert.Equal("/upload/room/report.bin", done.GetProperty("url").GetString());
        }

        Assert.Equal(SHA256.HashData(body), SHA256.HashData(await _client.GetByteArrayAsync(new Uri("/upload/room/report.bin", UriKind.Relative))));
        Assert.True((await StatusAsync(session)).GetProperty("completed").GetBoolean());
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions"), "*.bin"));
    }

    [Fact]
    public async Task ParallelChunks_AllArrive_AndTheFileIsCommittedOnce()
    {
        var body = SignedUploads.Body(16 * ChunkSize, seed: 3);
        var session = (await OpenAsync("p/parallel.bin", body.Length)).GetProperty("session_id").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async n =>
        {
            using var response = await ChunkAsync(session, n.ToString(CultureInfo.InvariantCulture), Chunk(body, n));
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("completed").GetBoolean());
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(answers, a => a.Item2);
        Assert.Equal(body, await _client.GetByteArrayAsync(new Uri("/upload/p/parallel.bin", UriKind.Relative)));
    }

    [Fact]
    public async Task EveryChunkSentTwiceAtOnce_TheFileIsCommittedOnceAndWhole()
    {
        var body = SignedUploads.Body(8 * ChunkSize, seed: 4);
        var session = (await OpenAsync("p/twice.bin", body.Length)).GetProperty("session_id").GetString()!;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async n =>
        {
            using var response = await ChunkAsync(session, (n % 8).ToString(CultureInfo.InvariantCulture), Chunk(body, n % 8));
            return response.StatusCode;
        }));

        // A copy that was taken over by its twin answers 400 (cut off); every chunk still arrives once.
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.BadRequest, s.ToString()));
        Assert.True((await StatusAsync(session)).GetProperty("completed").GetBoolean());
        Assert.Equal(body, await _client.GetByteArrayAsync(new Uri("/upload/p/twice.bin", UriKind.Relative)));
    }

    [Fact]
    public async Task JwtGrant_BindsNameAndSize_AndABareNameGoesIntoItsSlot()
    {
        var now = _factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        var token = TestSigner.Jwt(JwtSecret, new { sub = "juliet@example.org", iat = now, exp = now + 300, slot = "slot-4", filename = "song.bin", filesize = 10 });
        void Bearer(HttpRequestMessage r) => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var otherName = await _client.SendAsync(Open("other.bin", 10, string.Empty, Bearer)))
        {
            await AssertProblemAsync(otherName, HttpStatusCode.Forbidden, "slot/filename");
        }

        using (var otherSize = await _client.SendAsync(Open("song.bin", 11, string.Empty, Bearer)))
        {
            await AssertProblemAsync(otherSize, HttpStatusCode.RequestEntityTooLarge, "filesize");
        }

        using var opened = await _client.SendAsync(Open("song.bin", 10, string.Empty, Bearer));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_id").GetString()!;
        using var chunk = await ChunkAsync(session, "0", new byte[10]);
        Assert.Equal("/upload/slot-4/song.bin", (await chunk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("", "v", "X-Filename")]
    [InlineData("v3", "v3", "v3 MAC does not sign the file's size")]
    [InlineData("none", "none", "no MAC")]
    [InlineData("wrong-size", "v", "does not match the path and size")]
    public async Task Opening_WithoutCredentialsThatBindNameAndSize_IsRefused(string fileName, string scheme, string detail)
    {
        var path = fileName.Length == 0 ? string.Empty : "room/file.bin";
        var query = scheme switch
        {
            "v3" => $"v3={TestSigner.V3(SignedUploads.Secret, "/room/file.bin", _factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 60)}&expires={_factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 60}",
            "none" => string.Empty,
            _ => SignedQuery("room/file.bin", fileName == "wrong-size" ? 99 : 100),
        };

        using var response = await _client.SendAsync(Open(path, 100, query));

        await AssertProblemAsync(response, fileName.Length == 0 ? HttpStatusCode.BadRequest : HttpStatusCode.Forbidden, detail);
        Assert.False(Directory.Exists(Path.Combine(_factory.StoragePath, ".hmacportal-sessions"))
            && Directory.EnumerateFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions")).Any());
    }

    [Theory]
    [InlineData("../escape.bin")]
    [InlineData("room/../../escape.bin")]
    [InlineData("/etc/passwd")]
    [InlineData(".hmacportal-sessions/x.bin")]
    [InlineData("room/%00.bin")]
    [InlineData("room%2F..%2Fescape.bin")]
    [InlineData("room/%2e%2e/%2e%2e/escape.bin")]
    public async Task HostileFileName_IsRefused_AndNothingIsWritten(string fileName)
    {
        using var response = await _client.SendAsync(Open(fileName, 10, SignedQuery(fileName, 10)));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "X-Filename is not an acceptable file name");
        Assert.False(File.Exists(Path.Combine(_factory.RootPath, "escape.bin")));
        Assert.False(File.Exists(Path.Combine(_factory.StoragePath, "escape.bin")));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3")]
    [InlineData("99999999999")]
    [InlineData("one")]
    [InlineData("")]
    public async Task ChunkNumber_OutOfRangeOrMalformed_IsRefused(string number)
    {
        var session = (await OpenAsync("room/n.bin", (2 * ChunkSize) + 1)).GetProperty("session_id").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Put, "/chunked-upload") { Content = new ByteArrayContent(new byte[1]) };
        request.Headers.Add("X-Upload-Session-ID", session);
        request.Headers.TryAddWithoutValidation("X-Chunk-Number", number);

        using var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "X-Chunk-Number must be a whole number from 0 to 2");
        Assert.Equal(0, (await StatusAsync(session)).GetProperty("uploaded_bytes").GetInt64());
    }

    [Fact]
    public async Task ChunkOfTheWrongLength_IsRefused_AndPastMaxRetriesTheUploadIsAbandoned()
    {
        var session = (await OpenAsync("room/r.bin", 2 * ChunkSize)).GetProperty("session_id").GetString()!;

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            using var wrong = await ChunkAsync(session, "1", new byte[ChunkSize - 1]);
            await AssertProblemAsync(wrong, HttpStatusCode.BadRequest, $"chunk 1 must be exactly {ChunkSize} bytes");
        }

        using var third = await ChunkAsync(session, "1", new byte[ChunkSize + 1]);
        await AssertProblemAsync(third, HttpStatusCode.Gone, "more than maxretries (2)");
        using var status = await _client.GetAsync(new Uri($"/upload-status?session_id={session}", UriKind.Relative));
        await AssertProblemAsync(status, HttpStatusCode.NotFound, "no such upload session");
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions")));
    }

    [Fact]
    public async Task UnknownExpiredAndForeignSessions_AreClearlyAnswered()
    {
        using (var unknown = await ChunkAsync(new string('a', 32), "0", new byte[1]))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "no such upload session");
        }

        using (var malformed = await _client.GetAsync(new Uri("/upload-status?session_id=../../x", UriKind.Relative)))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.NotFound, "no such upload session");
        }

        var session = (await OpenAsync("room/e.bin", 10)).GetProperty("session_id").GetString()!;

        // The session is not a tus upload: tus requests cannot see it.
        using (var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/files/{session}") { Headers = { { "Tus-Resumable", "1.0.0" } } }))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }

        _factory.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        using var expired = await ChunkAsync(session, "0", new byte[10]);
        await AssertProblemAsync(expired, HttpStatusCode.Gone, "expired");
    }

    [Fact]
    public async Task OpeningWithABody_OrAChunkWithoutLength_IsRefused()
    {
        using (var withBody = await _client.SendAsync(Open("room/b.bin", 10, SignedQuery("room/b.bin", 10), r => r.Content = new ByteArrayContent(new byte[10]))))
        {
            await AssertProblemAsync(withBody, HttpStatusCode.BadRequest, "takes no body");
        }

        var session = (await OpenAsync("room/b.bin", 10)).GetProperty("session_id").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Put, "/chunked-upload") { Content = new StreamContent(new MemoryStream(new byte[10])) };
        request.Headers.Add("X-Upload-Session-ID", session);
        request.Headers.Add("X-Chunk-Number", "0");
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.LengthRequired, "Content-Length of 10");
    }

    [Fact]
    public async Task FileName_IsPercentEncoded_LikeAUrlPath()
    {
        var mac = TestSigner.V(SignedUploads.Secret, "room/été.bin", 3);
        using var opened = await _client.SendAsync(Open("room/%C3%A9t%C3%A9.bin", 3, "v=" + mac));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_id").GetString()!;

        using var chunk = await ChunkAsync(session, "0", [1, 2, 3]);

        Assert.Equal("/upload/room/%C3%A9t%C3%A9.bin", (await chunk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString());
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(_factory.StoragePath, "room", "été.bin")));
    }

    [Fact]
    public async Task EmptyFile_IsCommittedWhenItsSessionOpens()
    {
        var opened = await OpenAsync("room/empty.bin", 0);

        Assert.True(opened.GetProperty("completed").GetBoolean());
        Assert.Equal(0, opened.GetProperty("total_chunks").GetInt32());
        Assert.Empty(await _client.GetByteArrayAsync(new Uri("/upload/room/empty.bin", UriKind.Relative)));
    }

    [Fact]
    public async Task Disabled_AnswersNotFound()
    {
        using var factory = new HmacPortalFactory("[uploads]\nchunked_uploads_enabled = false\n");
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Open("room/f.bin", 10, SignedQuery("room/f.bin", 10)));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "chunked_uploads_enabled");
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
