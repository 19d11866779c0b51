using System.Net;
using System.Net.Http.Headers;
using HmacPortal.E2E.Support;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Portal;

/// <summary>Share pages in chromium against the host on real Kestrel with a fake clock, so a link can be made to expire.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SharePageTests(BrowserFixture browser) : IDisposable
{
    private readonly HmacPortalFactory _factory = CreateFactory();

    private static HmacPortalFactory CreateFactory()
    {
        var factory = new HmacPortalFactory();
        factory.UseKestrel();
        factory.StartServer();
        return factory;
    }

    [Fact]
    public async Task SharePage_OfAnExpiredLink_Answers410AndShowsTheExpiredState()
    {
        using var http = _factory.CreateClient();
        var path = await UploadAsync(http, "report.txt", "quarterly figures"u8.ToArray());
        var shares = _factory.Services.GetRequiredService<ShareService>();
        var created = await shares.CreateAsync("alice", new ShareRequest([path], TimeSpan.FromHours(1), null, null, false), CancellationToken.None);
        var url = new Uri(http.BaseAddress!, $"s/{created.Link!.Id.Value}").ToString();

        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var open = await page.GotoAsync(url);
        Assert.Equal((int)HttpStatusCode.OK, open!.Status);
        await Assertions.Expect(page.Locator("[data-testid=share-file]")).ToContainTextAsync("report.txt");
        await Assertions.Expect(page.Locator("iframe[title='Preview of report.txt']")).ToBeVisibleAsync();

        _factory.Clock.Advance(TimeSpan.FromHours(2));
        var expired = await page.GotoAsync(url);
        Assert.Equal((int)HttpStatusCode.Gone, expired!.Status);
        await Assertions.Expect(page.Locator("[data-testid=share-gone]")).ToHaveAttributeAsync("data-state", "expired");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link no longer works" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "share-expired.png"), FullPage = true });
    }

    /// <summary>Uploads as the portal does: a grant for the user, then one tus creation-with-upload request.</summary>
    private async Task<string> UploadAsync(HttpClient http, string name, byte[] body)
    {
        var grant = await _factory.Services.GetRequiredService<PortalUploads>()
            .AuthorizeAsync(new PortalAccount("alice", "alice", 1L << 30, 1L << 30), name, body.Length, "text/plain", CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/files/") { Content = new ByteArrayContent(body) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name))}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grant.Token);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return grant.Path;
    }

    public void Dispose() => _factory.Dispose();
}
