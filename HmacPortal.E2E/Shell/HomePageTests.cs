using System.Text.RegularExpressions;
using HmacPortal.E2E.Support;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Shell;

[Collection(BrowserCollection.Name)]
public sealed class HomePageTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        _server = await ServerProcess.StartAsync(config);
    }

    [Fact]
    public async Task HomePage_IsStyledInteractiveAndLive()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var failed = new List<string>();
        page.RequestFailed += (_, request) => failed.Add(request.Url);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failed.Add($"{response.Status} {response.Url}");
            }
        };

        await page.GotoAsync(_server.BaseAddress.ToString());

        // Wait for the circuit: the marker renders only once the page is interactive.
        await page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        // Styled: MudBlazor's stylesheet and the theme are applied to the app bar.
        var appBar = page.Locator("header.mud-appbar");
        var background = await appBar.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.Equal("rgb(45, 91, 136)", background);
        Assert.Equal("fixed", await appBar.EvaluateAsync<string>("e => getComputedStyle(e).position"));

        // Live: the uptime ticks over the circuit without a reload.
        var uptime = page.Locator("[data-testid=uptime]");
        var first = await uptime.TextContentAsync();
        await Assertions.Expect(uptime).Not.ToHaveTextAsync(first!, new LocatorAssertionsToHaveTextOptions { Timeout = 10_000 });

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "home.png"), FullPage = true });

        // Interactive: the menu button toggles the drawer through a server round trip.
        var drawer = page.Locator(".mud-drawer");
        await Assertions.Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));
        await page.GetByLabel("Toggle navigation").ClickAsync();
        await Assertions.Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--closed"));

        Assert.Empty(failed);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();
}
