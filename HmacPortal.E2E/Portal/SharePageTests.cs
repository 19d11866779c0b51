using System.Net;
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
        var path = await PortalHttp.UploadAsync(_factory.Services, http, new PortalAccount("alice", "alice", 1L << 30, 1L << 30), "report.txt", "quarterly figures"u8.ToArray(), "text/plain");
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

    public void Dispose() => _factory.Dispose();
}
