using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Sharing;

public sealed class ShareEndpointsTests : IDisposable
{
    private static readonly PortalAccount Alice = new("alice", "alice", 1L << 30, 1L << 30);
    private readonly HmacPortalFactory _factory = new();
    private readonly HttpClient _client;

    public ShareEndpointsTests() => _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private ShareService Shares => _factory.Services.GetRequiredService<ShareService>();

    private Task<string> UploadAsync(string name, byte[] body, string? type = null) =>
        PortalHttp.UploadAsync(_factory.Services, _client, Alice, name, body, type);

    private async Task<string> ShareAsync(ShareRequest request)
    {
        var created = await Shares.CreateAsync("alice", request, CancellationToken.None);
        Assert.True(created.Succeeded, created.Error);
        return $"/s/{created.Link!.Id.Value}";
    }

    [Fact]
    public async Task Page_OfAnActiveLink_ListsItsFiles()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("minutes.txt", "agreed"u8.ToArray(), "text/plain")], TimeSpan.FromDays(1), null, null, false));

        using var page = await _client.GetAsync(new Uri(link, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("minutes.txt", html, StringComparison.Ordinal);
        Assert.Contains($"{link}/files/0", html, StringComparison.Ordinal);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
    }

    [Theory]
    [InlineData("/s/AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("/s/not-an-id")]
    public async Task Page_OfNoLink_Answers404(string url)
    {
        using var page = await _client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("There is nothing at this address", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_DownloadsTheBytesAsAnAttachment()
    {
        var body = SignedUploads.Body(5000);
        var link = await ShareAsync(new ShareRequest([await UploadAsync("data.bin", body)], null, null, null, false));

        using var file = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(body, await file.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task File_WithABadIndex_Answers404()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("a.bin", [1, 2, 3])], null, null, null, false));

        using var file = await _client.GetAsync(new Uri($"{link}/files/1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
        Assert.Equal("application/problem+json", file.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Password_IsNeededForFiles_AndTheRightOneUnlocksThisBrowser()
    {
        var body = SignedUploads.Body(100);
        var link = await ShareAsync(new ShareRequest([await UploadAsync("secret.bin", body)], null, "open sesame", null, false));

        using var locked = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        Assert.Equal("urn:hmacportal:problem:password-required", (await locked.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
        Assert.DoesNotContain("secret.bin", await _client.GetStringAsync(new Uri(link, UriKind.Relative)), StringComparison.Ordinal);

        using var wrong = await FormPosts.PostAsync(_client, link, $"{link}/unlock", new Dictionary<string, string> { ["password"] = "guess" });
        Assert.Equal($"{link}?error=1", wrong.Headers.Location!.OriginalString);

        using var right = await FormPosts.PostAsync(_client, link, $"{link}/unlock", new Dictionary<string, string> { ["password"] = "open sesame" });
        Assert.Equal(link, right.Headers.Location!.OriginalString);
        var cookie = right.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hmacportal.share=", StringComparison.Ordinal));
        Assert.Contains($"path={link}", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        using var file = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        Assert.Equal(body, await file.Content.ReadAsByteArrayAsync());
        Assert.Contains("secret.bin", await _client.GetStringAsync(new Uri(link, UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_OfOneLink_DoesNotUnlockAnother()
    {
        var first = await ShareAsync(new ShareRequest([await UploadAsync("a.bin", [1])], null, "same password", null, false));
        var second = await ShareAsync(new ShareRequest([await UploadAsync("b.bin", [2])], null, "same password", null, false));
        using var unlock = await FormPosts.PostAsync(_client, first, $"{first}/unlock", new Dictionary<string, string> { ["password"] = "same password" });
        var value = unlock.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hmacportal.share=", StringComparison.Ordinal)).Split(';')[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{second}/files/0");
        request.Headers.Add("Cookie", value);
        using var other = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task Limit_OfOne_SecondDownloadAndThePageAnswer410()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("once.bin", SignedUploads.Body(64))], null, null, 1, false));

        using var first = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        using var second = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        using var page = await _client.GetAsync(new Uri(link, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal("urn:hmacportal:problem:link-gone", (await second.Content.ReadFromJsonAsync<ProblemBody>())!.Type);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("downloads have all been used", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limit_ServesNoRanges_SoAPartialRequestCannotStretchIt()
    {
        var body = SignedUploads.Body(1000);
        var link = await ShareAsync(new ShareRequest([await UploadAsync("r.bin", body)], null, null, 2, false));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{link}/files/0");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Expired_FilePageAndZipAnswer410()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("a.bin", [1])], TimeSpan.FromMinutes(30), null, null, false));

        _factory.Clock.Advance(TimeSpan.FromMinutes(31));

        using var page = await _client.GetAsync(new Uri(link, UriKind.Relative));
        using var file = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        using var zip = await _client.GetAsync(new Uri($"{link}/zip", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("It has expired", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, file.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, zip.StatusCode);
    }

    [Fact]
    public async Task Revoked_Answers410()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("a.bin", [1])], null, null, null, false));
        Shares.Revoke("alice", ShareId.TryParse(link[3..], out var id) ? id : default);

        using var file = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        using var page = await _client.GetAsync(new Uri(link, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Gone, file.StatusCode);
        Assert.Contains("revoked", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_HoldsEveryFileWhole_WithClashingNamesKeptApart()
    {
        var one = SignedUploads.Body(3000);
        var two = SignedUploads.Body(70_000);
        var three = "third"u8.ToArray();
        var link = await ShareAsync(new ShareRequest(
            [await UploadAsync("report.pdf", one), await UploadAsync("report.pdf", two), await UploadAsync("notes.txt", three)], null, null, null, false));

        using var response = await _client.GetAsync(new Uri($"{link}/zip", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        await using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
        Assert.Equal(["report.pdf", "report (2).pdf", "notes.txt"], zip.Entries.Select(e => e.FullName));
        Assert.Equal(one, await ReadAsync(zip.Entries[0]));
        Assert.Equal(two, await ReadAsync(zip.Entries[1]));
        Assert.Equal(three, await ReadAsync(zip.Entries[2]));
    }

    [Fact]
    public async Task Zip_CountsAsOneDownload()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("a.bin", [1]), await UploadAsync("b.bin", [2])], null, null, 1, false));

        using var zip = await _client.GetAsync(new Uri($"{link}/zip", UriKind.Relative));
        using var file = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, file.StatusCode);
    }

    [Fact]
    public async Task Preview_OnAnUnlimitedLink_IsInlineAndFramableOnlyByThisSite()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("pic.png", SignedUploads.Body(10), "image/png")], null, null, null, false));

        using var preview = await _client.GetAsync(new Uri($"{link}/files/0?inline=true", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("inline", preview.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Contains("frame-ancestors 'self'", preview.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("sandbox", preview.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_OfHtml_IsNeverInline()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("page.html", "<script>alert(1)</script>"u8.ToArray(), "text/html")], null, null, null, false));

        using var preview = await _client.GetAsync(new Uri($"{link}/files/0?inline=true", UriKind.Relative));

        Assert.Equal("attachment", preview.Content.Headers.ContentDisposition!.DispositionType);
    }

    [Fact]
    public async Task Preview_OnALimitedLink_IsRefused_AndDoesNotCount()
    {
        var link = await ShareAsync(new ShareRequest([await UploadAsync("pic.png", SignedUploads.Body(10), "image/png")], null, null, 1, false));

        using var preview = await _client.GetAsync(new Uri($"{link}/files/0?inline=true", UriKind.Relative));
        using var download = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, preview.StatusCode);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact]
    public async Task DeleteAfterDownload_TheFileIsGoneFromItsOwnUrlToo()
    {
        var path = await UploadAsync("burn.bin", SignedUploads.Body(10));
        var link = await ShareAsync(new ShareRequest([path], null, null, null, DeleteAfterDownload: true));

        using var first = await _client.GetAsync(new Uri($"{link}/files/0", UriKind.Relative));
        using var direct = await _client.GetAsync(new Uri($"/upload/{path}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
    }

    private static async Task<byte[]> ReadAsync(ZipArchiveEntry entry)
    {
        await using var stream = await entry.OpenAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail);

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
