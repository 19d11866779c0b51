using System.Net;
using HmacPortal.E2E.Support;
using HmacPortal.Engine.Identity;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Admin;

[Collection(BrowserCollection.Name)]
public sealed class AdminFilesTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private const string Password = "e2e admin password";
    private readonly TempDirectory _dir = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, $"[admin]\npassword_hash = \"{PasswordHash.Create(Password)}\"\n"));
        _server = await ServerProcess.StartAsync(config);
    }

    [Fact]
    public async Task Admin_SignsIn_FindsAFile_DeletesIt_AndItsUrlIsGone()
    {
        using var http = _server.CreateClient();
        using (var put = await http.SendAsync(SignedUploads.SignedPut("e2e/holiday photo.jpg", SignedUploads.Body(3000), "image/jpeg")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_server.BaseAddress, "admin/files").ToString());

        // Not signed in: the sign-in page, then back to the files.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/login"));
        await page.FillAsync("#password", Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/files$"));
        await page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        var row = page.GetByRole(AriaRole.Link, new() { Name = "e2e/holiday photo.jpg" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "admin-files.png"), FullPage = true });

        await page.GetByLabel("Delete e2e/holiday photo.jpg").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        using var get = await http.GetAsync(new Uri("upload/e2e/holiday%20photo.jpg", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();
}
