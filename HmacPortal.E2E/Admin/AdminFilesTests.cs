using System.Net;
using HmacPortal.E2E.Support;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Admin;

[Collection(BrowserCollection.Name)]
public sealed class AdminFilesTests(BrowserFixture browser) : AdminServerTest(browser)
{
    /// <summary>ejabberd's directory for an uploader (the SHA-1 of the address): the file's owner.</summary>
    private const string Owner = "45a6b241a242c97f0492d382c390dfa335aac986";

    [Fact]
    public async Task Admin_SignsIn_FindsAFile_DeletesIt_AndItsUrlIsGone()
    {
        using var http = Server.CreateClient();
        using (var put = await http.SendAsync(SignedUploads.SignedPut($"{Owner}/e2e/holiday photo.jpg", SignedUploads.Body(3000), "image/jpeg")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await using var context = await Browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });

        // Not signed in: the sign-in page, then back to the files.
        var page = await SignInAsync(context, "admin/files");

        var path = $"{Owner}/e2e/holiday photo.jpg";
        var row = page.GetByRole(AriaRole.Link, new() { Name = path });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "admin-files.png"), FullPage = true });

        // The owner's usage counts the file...
        var quotas = await context.NewPageAsync();
        await quotas.GotoAsync(new Uri(Server.BaseAddress, "admin/quotas").ToString());
        var usage = quotas.Locator($"[data-testid=quota-row][data-owner=\"{Owner}\"]");
        await Assertions.Expect(usage).ToContainTextAsync("2.9 KiB");

        await page.GetByLabel($"Delete {path}").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        using var get = await http.GetAsync(new Uri($"upload/{Owner}/e2e/holiday%20photo.jpg", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);

        // ...and no longer once it is deleted.
        await quotas.ReloadAsync();
        await Assertions.Expect(quotas.Locator("[data-testid=quota-empty]")).ToBeVisibleAsync();
        await Assertions.Expect(usage).ToHaveCountAsync(0);
    }
}
