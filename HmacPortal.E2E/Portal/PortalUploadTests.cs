using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using HmacPortal.E2E.Support;
using HmacPortal.Engine.Identity;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Portal;

/// <summary>The upload portal in chromium against a real server process and the real tus client.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class PortalUploadTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private const string User = "alice";
    private const string Password = "alice portal password";
    private const long BigSize = 100L << 20;
    private readonly TempDirectory _dir = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, $"[portal.users]\n{User} = \"{PasswordHash.Create(Password)}\"\n"));
        _server = await ServerProcess.StartAsync(config);
    }

    [Fact]
    public async Task Upload_ThreeFilesWithOfflineSpell_AllArriveWhole_ThenAPasswordLinkAllowsOneDownload()
    {
        await using var context = await NewContextAsync();
        var page = await SignInAsync(context);
        await ThrottleUploadsAsync(context, page);

        // Three files dropped on the drop zone, one of 100 MiB; the browser notes the big one's SHA-256.
        var transfer = await page.EvaluateHandleAsync($$"""
            async () => {
              const big = new Uint8Array({{BigSize}});
              let x = 2463534242;
              for (let i = 0; i < big.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; big[i] = x & 255; }
              const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', big));
              window.bigSha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
              const dt = new DataTransfer();
              dt.items.add(new File(['first small file'], 'notes.txt', { type: 'text/plain' }));
              dt.items.add(new File([new Uint8Array(3000).fill(7)], 'photo.jpg', { type: 'image/jpeg' }));
              dt.items.add(new File([big], 'big.bin', { type: 'application/octet-stream' }));
              return dt;
            }
            """);
        await page.Locator("[data-testid=drop-zone]").DispatchEventAsync("drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });
        var bigSha256 = await page.EvaluateAsync<string>("window.bigSha256");

        var bigItem = Item(page, "big.bin");
        await WaitForPercentAsync(bigItem, 1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "portal-upload.png"), FullPage = true });

        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("[data-testid=offline]")).ToBeVisibleAsync();
        await context.SetOfflineAsync(false);
        await Assertions.Expect(page.Locator("[data-testid=offline]")).ToBeHiddenAsync();

        foreach (var name in new[] { "notes.txt", "photo.jpg", "big.bin" })
        {
            await Assertions.Expect(Item(page, name)).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 120_000 });
        }

        Assert.Equal(bigSha256, await DownloadSha256Async(await bigItem.GetByRole(AriaRole.Link, new() { Name = "Open" }).GetAttributeAsync("href")));

        // A link with a password and one download.
        await bigItem.GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.Locator("[data-testid=share-selected]").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#share-password").FillAsync("open sesame");
        await dialog.Locator("#share-limit").FillAsync("1");
        await dialog.Locator("[data-testid=share-create]").ClickAsync();
        var link = await dialog.Locator("#share-url").InputValueAsync();
        Assert.Matches(ShareUrl(), link);
        await Assertions.Expect(dialog.Locator("[data-testid=share-qr] svg")).ToBeVisibleAsync();

        await using var visitor = await NewContextAsync();
        var share = await visitor.NewPageAsync();
        var first = await share.GotoAsync(link);
        Assert.Equal((int)HttpStatusCode.OK, first!.Status);
        await share.Locator("#share-password").FillAsync("open sesame");
        await share.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Assertions.Expect(share.Locator("[data-testid=share-file]")).ToHaveCountAsync(1);
        await share.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "share-page.png"), FullPage = true });

        var download = await share.RunAndWaitForDownloadAsync(() => share.Locator("[data-testid=download]").ClickAsync());
        var saved = Path.Combine(_dir.Path, "downloaded.bin");
        await download.SaveAsAsync(saved);
        Assert.Equal(bigSha256, Sha256(saved));

        var again = await share.GotoAsync(link);
        Assert.Equal((int)HttpStatusCode.Gone, again!.Status);
        await Assertions.Expect(share.Locator("[data-testid=share-gone]")).ToHaveAttributeAsync("data-state", "exhausted");
        var direct = await visitor.APIRequest.GetAsync(link + "/files/0");
        Assert.Equal((int)HttpStatusCode.Gone, direct.Status);
    }

    [Fact]
    public async Task Upload_ReloadedMidway_ContinuesFromWhereItStopped()
    {
        var big = WriteRandomFile("reload.bin", BigSize);
        await using var context = await NewContextAsync();
        var page = await SignInAsync(context);
        await ThrottleUploadsAsync(context, page);

        await page.Locator("[data-testid=file-input]").SetInputFilesAsync(big);
        var before = Item(page, "reload.bin");
        await WaitForPercentAsync(before, 1);

        // Pause holds it; resume carries on.
        await before.GetByRole(AriaRole.Button, new() { Name = "Pause reload.bin" }).ClickAsync();
        await Assertions.Expect(before).ToHaveAttributeAsync("data-state", "paused");
        await before.GetByRole(AriaRole.Button, new() { Name = "Resume reload.bin" }).ClickAsync();
        await Assertions.Expect(before).ToHaveAttributeAsync("data-state", "uploading");
        await WaitForPercentAsync(before, 2);

        await page.ReloadAsync();
        await page.Locator("[data-testid=drop-zone][data-ready=true]").WaitForAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=unfinished]")).ToContainTextAsync("reload.bin");

        // The first PATCH after the reload starts past the beginning: nothing is sent twice from zero.
        var offsets = new List<long>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PATCH" && request.Headers.TryGetValue("upload-offset", out var offset))
            {
                lock (offsets)
                {
                    offsets.Add(long.Parse(offset, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        };
        await page.Locator("[data-testid=file-input]").SetInputFilesAsync(big);
        var item = Item(page, "reload.bin");
        await Assertions.Expect(item.Locator("[data-testid=resumed]")).ToBeVisibleAsync();
        await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 120_000 });

        lock (offsets)
        {
            Assert.NotEmpty(offsets);
            Assert.True(offsets[0] >= BigSize / 10, $"the first PATCH after reloading started at {offsets[0]}");
        }

        Assert.Equal(Sha256(big), await DownloadSha256Async(await item.GetByRole(AriaRole.Link, new() { Name = "Open" }).GetAttributeAsync("href")));
    }

    [Fact]
    public async Task UploadPage_OnAPhoneSizedScreen_FitsWithoutSideways_AndTheDropZoneWorksFromTheKeyboard()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await SignInAsync(context);
        await page.Locator("[data-testid=file-input]").SetInputFilesAsync(new FilePayload { Name = "a rather long file name from a phone camera.jpg", MimeType = "image/jpeg", Buffer = new byte[2048] });
        await Assertions.Expect(Item(page, "a rather long file name from a phone camera.jpg")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });

        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "portal-upload-phone.png"), FullPage = true });

        // Enter on the focused drop zone opens the file picker.
        var chooser = await page.RunAndWaitForFileChooserAsync(async () =>
        {
            await page.Locator("[data-testid=drop-zone]").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
        });
        Assert.True(chooser.IsMultiple);
    }

    private async Task<IBrowserContext> NewContextAsync() =>
        await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 }, AcceptDownloads = true });

    private async Task<IPage> SignInAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, m) => File.AppendAllText("/tmp/e2e-console.log", m.Text + "\n");
        page.PageError += (_, m) => File.AppendAllText("/tmp/e2e-console.log", "ERROR " + m + "\n");
        await page.GotoAsync(new Uri(_server.BaseAddress, "portal").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/portal/login"));
        await page.Locator("#username").FillAsync(User);
        await page.Locator("#password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/portal$"));
        await page.Locator("[data-testid=drop-zone][data-ready=true]").WaitForAsync(new() { Timeout = 30_000 });
        return page;
    }

    /// <summary>Holds each PATCH back a little (about 30 MB/s with 8 MiB chunks) so the test can act while an upload is under way.</summary>
    private static Task ThrottleUploadsAsync(IBrowserContext context, IPage page) =>
        page.RouteAsync("**/files/*", async route =>
        {
            if (route.Request.Method == "PATCH")
            {
                await Task.Delay(250);
            }

            await route.ContinueAsync();
        });

    private static ILocator Item(IPage page, string name) => page.Locator($"[data-testid=upload-item][data-name=\"{name}\"]");

    /// <summary>Waits until the item's progress shows at least <paramref name="tens"/>0 %.</summary>
    private static Task WaitForPercentAsync(ILocator item, int tens) =>
        Assertions.Expect(item.Locator("[data-testid=progress]")).ToHaveTextAsync(
            new Regex($@"\((?:[{tens}-9]\d|100)%\)"), new() { Timeout = 60_000 });

    private async Task<string> DownloadSha256Async(string? href)
    {
        Assert.NotNull(href);
        using var http = _server.CreateClient();
        await using var body = await http.GetStreamAsync(new Uri(href, UriKind.Relative));
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
    }

    private string WriteRandomFile(string name, long size)
    {
        var path = _dir.Combine(name);
        using var file = File.Create(path);
        var block = new byte[1 << 20];
        for (long written = 0; written < size; written += block.Length)
        {
            RandomNumberGenerator.Fill(block);
            file.Write(block, 0, (int)Math.Min(block.Length, size - written));
        }

        return path;
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    [GeneratedRegex(@"^http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{22}$")]
    private static partial Regex ShareUrl();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();
}
