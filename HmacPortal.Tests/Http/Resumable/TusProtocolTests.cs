using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Resumable;

public sealed class TusProtocolTests : IDisposable
{
    private const string JwtSecret = "jwt-secret-0123456789abcdef";
    private readonly HmacPortalFactory _factory = new(
        "[uploads]\nsessiontimeout = \"1h\"\nallowed_extensions = [\".bin\", \".txt\", \".png\"]\n",
        server: "max_upload_size = \"10MB\"",
        security: $"enablejwt = true\njwtsecret = \"{JwtSecret}\"");
    private readonly HttpClient _client;

    public TusProtocolTests()
    {
        _client = _factory.CreateClient();
    }

    private string Token(string name = "file.bin", long size = 100, string slot = "slot-9") => TestSigner.Jwt(JwtSecret, new
    {
        sub = "juliet@example.org",
        iat = _factory.Clock.GetUtcNow().ToUnixTimeSeconds(),
        exp = _factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 300,
        slot,
        filename = name,
        filesize = size,
    });

    private static string Metadata(string name) => "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name));

    private HttpRequestMessage Tus(HttpMethod method, string url, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        configure?.Invoke(request);
        return request;
    }

    private async Task<string> CreateAsync(string name = "file.bin", long? length = 100, string? token = null, string? extra = null)
    {
        using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            if (length is { } l)
            {
                r.Headers.Add("Upload-Length", l.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                r.Headers.Add("Upload-Defer-Length", "1");
            }

            r.Headers.Add("Upload-Metadata", Metadata(name) + (extra ?? string.Empty));
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token(name, length ?? 100));
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("1.0.0", Assert.Single(response.Headers.GetValues("Tus-Resumable")));
        Assert.NotNull(response.Headers.GetValues("Upload-Expires").Single());
        return response.Headers.Location!.ToString();
    }

    private Task<HttpResponseMessage> PatchAsync(string url, long offset, byte[] data, string? checksum = null, string contentType = "application/offset+octet-stream", Action<HttpRequestMessage>? configure = null) =>
        _client.SendAsync(Tus(HttpMethod.Patch, url, r =>
        {
            r.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
            if (checksum is not null)
            {
                r.Headers.Add("Upload-Checksum", checksum);
            }

            r.Content = new ByteArrayContent(data);
            r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            configure?.Invoke(r);
        }));

    private async Task<long> OffsetAsync(string url)
    {
        using var head = await _client.SendAsync(Tus(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        return long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Options_DescribesTheServer()
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/files/"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
        Assert.Equal("creation,creation-with-upload,creation-defer-length,termination,checksum,expiration,concatenation", response.Headers.GetValues("Tus-Extension").Single());
        Assert.Equal((10L << 20).ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("Tus-Max-Size").Single());
        Assert.Equal("sha1,sha256,md5", response.Headers.GetValues("Tus-Checksum-Algorithm").Single());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0.2.2")]
    public async Task AnyRequest_WithoutTusResumable100_Is412(string? version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/files/");
        if (version is not null)
        {
            request.Headers.Add("Tus-Resumable", version);
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
    }

    [Fact]
    public async Task Create_WithoutGrant_Is401WhenAnonymousIsOff()
    {
        using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r => r.Headers.Add("Upload-Length", "5")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task FullUpload_InChunks_IsStoredRecordedAndServedAtItsGetUrl()
    {
        var data = SignedUploads.Body(100);
        var url = await CreateAsync();

        using (var first = await PatchAsync(url, 0, data[..40]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal("40", first.Headers.GetValues("Upload-Offset").Single());
        }

        Assert.Equal(40, await OffsetAsync(url));
        using var last = await PatchAsync(url, 40, data[40..]);

        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.Equal("/upload/slot-9/file.bin", last.Headers.GetValues("Upload-File-Url").Single());
        Assert.Equal(data, await _client.GetByteArrayAsync(new Uri("/upload/slot-9/file.bin", UriKind.Relative)));
        var store = (HmacPortal.Engine.Metadata.IMetadataStore)_factory.Services.GetService(typeof(HmacPortal.Engine.Metadata.IMetadataStore))!;
        var record = await store.GetAsync("slot-9/file.bin", CancellationToken.None);
        Assert.Equal(("tus", "juliet@example.org", Convert.ToHexStringLower(SHA256.HashData(data))), (record!.Protocol, record.Owner, record.Sha256));
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions"), "*.bin"));
    }

    [Fact]
    public async Task Create_ZeroLength_IsCompleteAtOnce()
    {
        using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            r.Headers.Add("Upload-Length", "0");
            r.Headers.Add("Upload-Metadata", Metadata("empty.bin"));
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("empty.bin", 0));
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/upload/slot-9/empty.bin", response.Headers.GetValues("Upload-File-Url").Single());
        Assert.Empty(await _client.GetByteArrayAsync(new Uri("/upload/slot-9/empty.bin", UriKind.Relative)));
    }

    private async Task<string> CreatePartialAsync(int length)
    {
        using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            r.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
            r.Headers.Add("Upload-Concat", "partial");
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("joined.bin", 100));
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("partial", response.Headers.GetValues("Upload-Concat").Single());
        return response.Headers.Location!.ToString();
    }

    private Task<HttpResponseMessage> CreateFinalAsync(params string[] parts) =>
        _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            r.Headers.Add("Upload-Concat", "final;" + string.Join(' ', parts.Select(p => "http://localhost" + p)));
            r.Headers.Add("Upload-Metadata", Metadata("joined.bin"));
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token("joined.bin", 100));
        }));

    [Fact]
    public async Task Concatenation_PartsUploadedSeparately_BecomeOneFileInOrder()
    {
        var data = SignedUploads.Body(100);
        var second = await CreatePartialAsync(60);
        var first = await CreatePartialAsync(40);
        using (await PatchAsync(second, 0, data[40..]))
        {
        }

        using (var firstDone = await PatchAsync(first, 0, data[..40]))
        {
            Assert.False(firstDone.Headers.Contains("Upload-File-Url"), "a finished part is not a file");
        }

        using var final = await CreateFinalAsync(first, second);

        Assert.Equal(HttpStatusCode.Created, final.StatusCode);
        Assert.Equal("/upload/slot-9/joined.bin", final.Headers.GetValues("Upload-File-Url").Single());
        Assert.Equal(data, await _client.GetByteArrayAsync(new Uri("/upload/slot-9/joined.bin", UriKind.Relative)));
        using var patchFinal = await PatchAsync(final.Headers.Location!.ToString(), 100, new byte[1]);
        Assert.Equal(HttpStatusCode.Forbidden, patchFinal.StatusCode);
        using var headPart = await _client.SendAsync(Tus(HttpMethod.Head, first));
        Assert.Equal(HttpStatusCode.NotFound, headPart.StatusCode);
    }

    [Fact]
    public async Task Concatenation_WithAnUnfinishedPart_Is400()
    {
        var part = await CreatePartialAsync(40);
        using (await PatchAsync(part, 0, new byte[10]))
        {
        }

        using var final = await CreateFinalAsync(part);
        using var bogus = await CreateFinalAsync("/files/0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.BadRequest, final.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
    }

    [Fact]
    public async Task Patch_WrongOffset_Is409AndChangesNothing()
    {
        var url = await CreateAsync();
        using (await PatchAsync(url, 0, new byte[10]))
        {
        }

        using var response = await PatchAsync(url, 5, new byte[10]);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(10, await OffsetAsync(url));
    }

    [Fact]
    public async Task Patch_WrongContentType_Is415()
    {
        var url = await CreateAsync();

        using var response = await PatchAsync(url, 0, new byte[10], contentType: "application/octet-stream");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    [InlineData("md5")]
    public async Task Patch_Checksum_MatchingAdvances_MismatchIs460AndDiscarded(string algorithm)
    {
        var url = await CreateAsync();
        var chunk = SignedUploads.Body(30);
#pragma warning disable CA5350, CA5351 // tus checksums detect corruption in transit; sha1 is the protocol's mandatory algorithm
        byte[] Hash(byte[] bytes) => algorithm switch { "sha1" => SHA1.HashData(bytes), "md5" => MD5.HashData(bytes), _ => SHA256.HashData(bytes) };
#pragma warning restore CA5350, CA5351

        using (var bad = await PatchAsync(url, 0, chunk, $"{algorithm} {Convert.ToBase64String(Hash(new byte[30]))}"))
        {
            Assert.Equal(460, (int)bad.StatusCode);
        }

        Assert.Equal(0, await OffsetAsync(url));
        using var good = await PatchAsync(url, 0, chunk, $"{algorithm} {Convert.ToBase64String(Hash(chunk))}");
        Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        Assert.Equal(30, await OffsetAsync(url));
    }

    [Fact]
    public async Task Patch_UnknownChecksumAlgorithm_Is400()
    {
        var url = await CreateAsync();

        using var response = await PatchAsync(url, 0, new byte[3], "crc32 AAAA");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CreationWithUpload_StoresTheFirstChunk()
    {
        var data = SignedUploads.Body(100);
        using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            r.Headers.Add("Upload-Length", "100");
            r.Headers.Add("Upload-Metadata", Metadata("file.bin"));
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
            r.Content = new ByteArrayContent(data[..60]);
            r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream");
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("60", response.Headers.GetValues("Upload-Offset").Single());
        Assert.Equal(60, await OffsetAsync(response.Headers.Location!.ToString()));
    }

    [Fact]
    public async Task DeferredLength_IsSetByALaterPatch()
    {
        var url = await CreateAsync(length: null, token: Token(size: 100));
        using (var head = await _client.SendAsync(Tus(HttpMethod.Head, url)))
        {
            Assert.Equal("1", head.Headers.GetValues("Upload-Defer-Length").Single());
        }

        using (await PatchAsync(url, 0, new byte[50]))
        {
        }

        using var last = await PatchAsync(url, 50, new byte[50], configure: r => r.Headers.Add("Upload-Length", "100"));

        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.True(last.Headers.Contains("Upload-File-Url"));
    }

    [Fact]
    public async Task DeferredLength_BeyondTheGrant_Is413()
    {
        var url = await CreateAsync(length: null, token: Token(size: 100));

        using var response = await PatchAsync(url, 0, new byte[10], configure: r => r.Headers.Add("Upload-Length", "101"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Terminate_RemovesTheUpload()
    {
        var url = await CreateAsync();

        using var delete = await _client.SendAsync(Tus(HttpMethod.Delete, url));
        using var head = await _client.SendAsync(Tus(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions")));
    }

    [Fact]
    public async Task Expired_Is410_AndIsSwept()
    {
        var url = await CreateAsync();
        _factory.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        using var head = await _client.SendAsync(Tus(HttpMethod.Head, url));
        using var patch = await PatchAsync(url, 0, new byte[1]);

        Assert.Equal(HttpStatusCode.Gone, head.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, patch.StatusCode);

        // A day later it is removed (by the background sweeper on the same clock, or this call).
        _factory.Clock.Advance(HmacPortal.Engine.Resumable.TusService.ExpiredRetention);
        ((HmacPortal.Engine.Resumable.TusService)_factory.Services.GetService(typeof(HmacPortal.Engine.Resumable.TusService))!).SweepExpired();
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-sessions")));
        using var after = await _client.SendAsync(Tus(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Create_LimitsAndGrantChecks()
    {
        async Task<HttpStatusCode> Create(string name, long length, string token)
        {
            using var response = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
            {
                r.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
                r.Headers.Add("Upload-Metadata", Metadata(name));
                r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Create("big.bin", 11L << 20, Token("big.bin", 11L << 20)));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await Create("run.sh", 10, Token("run.sh", 10)));
        Assert.Equal(HttpStatusCode.Forbidden, await Create("other.bin", 10, Token("file.bin", 10)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Create("file.bin", 11, Token("file.bin", 10)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Create("file.bin", 10, TestSigner.Jwt("wrong-secret-0123456789", new { sub = "x" })));
        Assert.Equal(HttpStatusCode.BadRequest, await Create("../../etc.bin", 10, Token("../../etc.bin", 10)));
    }

    [Fact]
    public async Task MethodOverride_TunnelsPatchThroughPost()
    {
        var url = await CreateAsync();

        using var response = await PatchAsync(url, 0, new byte[10], configure: r =>
        {
            r.Method = HttpMethod.Post;
            r.Headers.Add("X-HTTP-Method-Override", "PATCH");
        });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(10, await OffsetAsync(url));
    }

    [Fact]
    public async Task Patch_PastTheLength_Is400AndKeepsTheOffset()
    {
        var url = await CreateAsync(length: 10, token: Token(size: 10));

        using var response = await PatchAsync(url, 0, new byte[11]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await OffsetAsync(url));
    }

    [Fact]
    public async Task UnknownUpload_Is404()
    {
        using var head = await _client.SendAsync(Tus(HttpMethod.Head, "/files/0123456789abcdef0123456789abcdef"));
        using var junk = await _client.SendAsync(Tus(HttpMethod.Head, "/files/..%2f..%2fconfig.toml"));

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, junk.StatusCode);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
