using HmacPortal.E2E.Support;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Admin;

/// <summary>The live dashboard against a real server process and a slow upload the test drives byte by byte.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminDashboardTests(BrowserFixture browser) : AdminServerTest(browser)
{
    [Fact]
    public async Task Dashboard_ShowsASlowUploadAppearProgressAndFinish_WithoutReloading()
    {
        await using var context = await Browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await SignInAsync(context, "admin");
        await Assertions.Expect(page.Locator("[data-testid=no-active]")).ToBeVisibleAsync();
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        const int length = 1 << 20;
        var body = SignedUploads.Body(length);
        var path = "dashboard/slow upload.bin";
        var target = $"/upload/dashboard/slow%20upload.bin?v2={TestSigner.V2(SignedUploads.Secret, path, length, "application/octet-stream")}";
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);
        await connection.SendAsync($"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n");
        await connection.SendAsync(body[..(100 << 10)]);

        var row = page.Locator($"[data-testid=active-upload][data-path=\"{path}\"]");
        await Assertions.Expect(row.Locator("[data-testid=active-progress]")).ToHaveTextAsync("100 KiB of 1 MiB");
        await Assertions.Expect(row).ToContainTextAsync("v2");
        await Assertions.Expect(row).ToContainTextAsync("127.0.0.1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "admin-dashboard.png"), FullPage = true });

        await connection.SendAsync(body[(100 << 10)..(600 << 10)]);
        await Assertions.Expect(row.Locator("[data-testid=active-progress]")).ToHaveTextAsync("600 KiB of 1 MiB");

        await connection.SendAsync(body[(600 << 10)..]);
        Assert.Equal(201, (await connection.ReadHeadAsync()).Status);
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=storage]")).ToContainTextAsync("1 MiB in 1 file(s)");
        await Assertions.Expect(page.Locator("[data-testid=uploads-rate]")).Not.ToHaveTextAsync("0.0");
        Assert.Equal(0, navigations);
    }
}
