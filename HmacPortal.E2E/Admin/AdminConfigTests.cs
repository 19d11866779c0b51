using System.Net;
using System.Text.RegularExpressions;
using HmacPortal.E2E.Support;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Admin;

/// <summary>The config editor against a real server process: the saved file is what the running server uses.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminConfigTests(BrowserFixture browser) : AdminServerTest(browser, serverLines: "max_upload_size = \"1MB\"")
{
    [Fact]
    public async Task Editor_ShowsAnErrorAtItsLine_SavesAFixThatAppliesWithoutRestart_AndRollsBack()
    {
        using var http = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Created, await PutAsync(http, "before/two-kib.bin"));

        await using var context = await Browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var page = await SignInAsync(context, "admin/config");

        var editor = page.Locator("[data-testid=config-text]");
        var text = await editor.InputValueAsync();
        var line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("max_upload_size", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0);

        // Broken: a size that is not a size. The error names its line; nothing can be saved.
        await editor.FillAsync(text.Replace("max_upload_size = \"1MB\"", "max_upload_size = \"lots\"", StringComparison.Ordinal));
        await editor.BlurAsync();
        var problem = page.Locator("[data-testid=config-diagnostic][data-severity=error]");
        await Assertions.Expect(problem).ToContainTextAsync($"line {line}, column");
        await Assertions.Expect(problem).ToContainTextAsync("max_upload_size");
        await Assertions.Expect(page.Locator("[data-testid=config-save]")).ToBeDisabledAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "admin-config.png"), FullPage = true });

        // Fixed: a smaller limit. Saved, applied, and the running server refuses a 2 KiB upload.
        await editor.FillAsync(text.Replace("max_upload_size = \"1MB\"", "max_upload_size = \"1KB\"", StringComparison.Ordinal));
        await editor.BlurAsync();
        await Assertions.Expect(page.Locator("[data-testid=config-diff]")).ToContainTextAsync("[server] max_upload_size");
        await page.Locator("[data-testid=config-save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=config-message]")).ToContainTextAsync("Saved and applied");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PutAsync(http, "after/two-kib.bin"));

        // Rolled back: the old limit is in force again.
        await page.Locator("[data-testid=config-rollback]").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=config-message]")).ToContainTextAsync("Saved and applied");
        await Assertions.Expect(editor).ToHaveValueAsync(new Regex("max_upload_size = \"1MB\""));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(http, "rolled-back/two-kib.bin"));
        Assert.False(Server.HasExited);
    }

    private static async Task<HttpStatusCode> PutAsync(HttpClient http, string path)
    {
        using var response = await http.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(2048), "application/octet-stream"));
        return response.StatusCode;
    }
}
