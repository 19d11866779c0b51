using System.Net;
using HmacPortal.E2E.Support;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Admin;

[Collection(BrowserCollection.Name)]
public sealed class AdminFilesTests(BrowserFixture browser) : AdminServerTest(browser)
{
    [Fact]
    public async Task Admin_SignsIn_FindsAFile_DeletesIt_AndItsUrlIsGone()
    {
        using var http = Server.CreateClient();
        using (var put = await http.SendAsync(SignedUploads.SignedPut("e2e/holiday photo.jpg", SignedUploads.Body(3000), "image/jpeg")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await using var context = await Browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });

        // Not signed in: the sign-in page, then back to the files.
        var page = await SignInAsync(context, "admin/files");

        var row = page.GetByRole(AriaRole.Link, new() { Name = "e2e/holiday photo.jpg" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "admin-files.png"), FullPage = true });

        await page.GetByLabel("Delete e2e/holiday photo.jpg").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        using var get = await http.GetAsync(new Uri("upload/e2e/holiday%20photo.jpg", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }
}
