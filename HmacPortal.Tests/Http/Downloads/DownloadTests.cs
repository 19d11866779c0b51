using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Downloads;

public sealed class DownloadTests : IAsyncLifetime, IDisposable
{
    private readonly HmacPortalFactory _factory = new("[cors]\nallowed_origins = [\"https://chat.example.org\"]\nmax_age = \"10m\"\n");
    private readonly HttpClient _client;
    private readonly byte[] _photo = SignedUploads.Body(10_000);

    public DownloadTests()
    {
        _client = _factory.CreateClient();
    }

    public async Task InitializeAsync()
    {
        await PutAsync("d1/photo.jpg", _photo, "image/jpeg");
        await PutAsync("d1/page.html", Encoding.UTF8.GetBytes("<script>alert(1)</script>"), "text/html");
        await PutAsync("d1/drawing.svg", Encoding.UTF8.GetBytes("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), "image/svg+xml");
        await PutAsync("d1/notes.txt", Encoding.UTF8.GetBytes("plain words"), "text/plain");
        await PutAsync("d1/Grüße café.bin", SignedUploads.Body(5), null);
    }

    private async Task PutAsync(string path, byte[] body, string? type)
    {
        using var response = await _client.SendAsync(SignedUploads.SignedPut(path, body, type));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        configure?.Invoke(request);
        return _client.SendAsync(request);
    }

    [Fact]
    public async Task Get_ServesStoredTypeLengthAndSafeHeaders()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_photo, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(10_000, response.Content.Headers.ContentLength);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'; sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Null(response.Content.Headers.ContentEncoding.FirstOrDefault());
    }

    [Fact]
    public async Task Head_HasLengthAndTypeButNoBody()
    {
        using var response = await SendAsync(HttpMethod.Head, "/upload/d1/photo.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10_000, response.Content.Headers.ContentLength);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/upload/d1/page.html", "text/html")]
    [InlineData("/upload/d1/drawing.svg", "image/svg+xml")]
    public async Task Get_ActiveContent_IsServedAsAttachment(string url, string type)
    {
        using var response = await SendAsync(HttpMethod.Get, url);

        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Get_PlainText_IsInline()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/notes.txt");

        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task Get_NonAsciiName_IsInFilenameStar()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/Gr%C3%BC%C3%9Fe%20caf%C3%A9.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("filename*=UTF-8''Gr%C3%BC%C3%9Fe%20caf%C3%A9.bin", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bytes=9000-", 9000, 9999)]
    [InlineData("bytes=-100", 9900, 9999)]
    [InlineData("bytes=10-19", 10, 19)]
    public async Task Get_Range_Returns206WithContentRange(string range, long from, long to)
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.Range = RangeHeaderValue.Parse(range));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(from, to, 10_000), response.Content.Headers.ContentRange);
        Assert.Equal(_photo[(int)from..((int)to + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_UnsatisfiableRange_Returns416()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.Range = RangeHeaderValue.Parse("bytes=20000-"));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */10000", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Get_IfNoneMatchCurrentETag_Returns304()
    {
        using var first = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg");

        using var second = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.IfNoneMatch.Add(first.Headers.ETag!));

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_IfModifiedSinceNow_Returns304()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.IfModifiedSince = _factory.Clock.GetUtcNow().AddMinutes(1));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Get_IfMatchOtherETag_Returns412()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Get_GoEraDownloadUrl_ServesTheFile()
    {
        using var response = await SendAsync(HttpMethod.Get, "/download/d1/photo.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_photo, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_Missing_Returns404ProblemJson()
    {
        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/nothing.jpg");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_FileOnDiskWithoutRecord_IsNotServed()
    {
        // Only committed uploads are served: something dropped into the tree by hand is not.
        await File.WriteAllTextAsync(Path.Combine(_factory.StoragePath, "d1", "planted.txt"), "not an upload");

        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/planted.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_SymlinkRecordedFile_IsNotServed()
    {
        var target = Path.Combine(_factory.StoragePath, "d1", "notes.txt");
        File.Delete(target);
        File.CreateSymbolicLink(target, _factory.ConfigPath);

        using var response = await SendAsync(HttpMethod.Get, "/upload/d1/notes.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Options_Preflight_AnswersWithoutAuthAndEachHeaderOnce()
    {
        using var response = await SendAsync(HttpMethod.Options, "/upload/d1/new.jpg", r =>
        {
            r.Headers.Add("Origin", "https://chat.example.org");
            r.Headers.Add("Access-Control-Request-Method", "PUT");
            r.Headers.Add("Access-Control-Request-Headers", "content-type");
        });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://chat.example.org", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("PUT", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Equal("content-type", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Headers")));
        Assert.Equal("600", Assert.Single(response.Headers.GetValues("Access-Control-Max-Age")));
    }

    [Fact]
    public async Task Cors_AllowedOriginOnPutAndGet_HeaderExactlyOnce()
    {
        var put = SignedUploads.SignedPut("d1/cors.jpg", SignedUploads.Body(10), "image/jpeg");
        put.Headers.Add("Origin", "https://chat.example.org");
        using var putResponse = await _client.SendAsync(put);
        using var get = await SendAsync(HttpMethod.Get, "/upload/d1/cors.jpg", r => r.Headers.Add("Origin", "https://chat.example.org"));

        Assert.Equal(HttpStatusCode.Created, putResponse.StatusCode);
        Assert.Equal("https://chat.example.org", Assert.Single(putResponse.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("https://chat.example.org", Assert.Single(get.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("Content-Length", Assert.Single(get.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_OtherOrigin_GetsNoAllowOrigin()
    {
        using var get = await SendAsync(HttpMethod.Get, "/upload/d1/photo.jpg", r => r.Headers.Add("Origin", "https://evil.example"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.False(get.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_SuffixNotInDownloadsAllowedExtensions_Is403()
    {
        using var factory = new HmacPortalFactory("[downloads]\nallowed_extensions = [\".jpg\"]\n");
        using var client = factory.CreateClient();
        using (var put = await client.SendAsync(SignedUploads.SignedPut("d2/a.txt", SignedUploads.Body(5))))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var put = await client.SendAsync(SignedUploads.SignedPut("d2/b.jpg", SignedUploads.Body(5))))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var refused = await client.GetAsync(new Uri("/upload/d2/a.txt", UriKind.Relative));
        using var served = await client.GetAsync(new Uri("/upload/d2/b.jpg", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Get_CountsDownloads()
    {
        using (await SendAsync(HttpMethod.Get, "/upload/d1/notes.txt"))
        {
        }

        using (await SendAsync(HttpMethod.Head, "/upload/d1/notes.txt"))
        {
        }

        await ((HmacPortal.Engine.Downloads.DownloadCounter)_factory.Services.GetService(typeof(HmacPortal.Engine.Downloads.DownloadCounter))!).FlushAsync(CancellationToken.None);
        var store = (HmacPortal.Engine.Metadata.IMetadataStore)_factory.Services.GetService(typeof(HmacPortal.Engine.Metadata.IMetadataStore))!;
        var record = await store.GetAsync("d1/notes.txt", CancellationToken.None);
        Assert.Equal(1, record!.Downloads);
        Assert.Equal(_factory.Clock.GetUtcNow(), record.LastDownload);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
