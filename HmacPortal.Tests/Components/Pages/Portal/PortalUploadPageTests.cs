using Bunit;
using HmacPortal.Components.Pages.Portal;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Components.Pages.Portal;

public sealed class PortalUploadPageTests : PortalComponentTestBase
{
    private readonly BunitJSModuleInterop _module;

    public PortalUploadPageTests()
        : base(userQuota: 10_000) => _module = JSInterop.SetupModule("./js/portal-upload.js");

    private IRenderedComponent<PortalUploadPage> RenderSignedIn()
    {
        SignInAlice();
        return RenderPage<PortalUploadPage>();
    }

    private static string StateOf(IRenderedComponent<PortalUploadPage> page, string name) =>
        page.Find($"[data-testid=upload-item][data-name='{name}']").GetAttribute("data-state")!;

    [Fact]
    public void Empty_ShowsLimitsAndDropZone_AndAttachesTheUploadClient()
    {
        var page = RenderSignedIn();

        Assert.Contains("Signed in as alice", page.Find("[data-testid=account]").TextContent, StringComparison.Ordinal);
        Assert.Contains("9.8 KiB of 9.8 KiB left", page.Find("[data-testid=quota-left]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=drop-zone][role=button][tabindex='0']"));
        Assert.NotNull(page.Find("label[for=portal-files]"));
        Assert.Empty(page.FindAll("[data-testid=upload-item]"));
        _module.VerifyInvoke("attach");
    }

    [Fact]
    public async Task Uploading_ShowsProgressSpeedAndTimeLeft_WithPauseAndCancel()
    {
        var page = RenderSignedIn();

        var answer = await page.InvokeAsync(() => page.Instance.Authorize("k1", "movie.mp4", 4000, "video/mp4", "movie.mp4"));
        await page.InvokeAsync(() => page.Instance.Progress("k1", 1000, 4000, 500));

        Assert.NotNull(answer.Token);
        Assert.EndsWith("/movie.mp4", answer.Path, StringComparison.Ordinal);
        Assert.Equal("uploading", StateOf(page, "movie.mp4"));
        var progress = page.Find("[data-testid=progress]").TextContent;
        Assert.Contains("(25%)", progress, StringComparison.Ordinal);
        Assert.Contains("500 B/s", progress, StringComparison.Ordinal);
        Assert.Contains("6 s left", progress, StringComparison.Ordinal);
        Assert.Contains("0 of 1 done", page.Find("[data-testid=totals]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[aria-label='Pause movie.mp4']"));
        Assert.NotNull(page.Find("[aria-label='Cancel movie.mp4']"));
    }

    [Fact]
    public async Task Pause_AsksTheUploadClient_AndPausedOffersResume()
    {
        var page = RenderSignedIn();
        await page.InvokeAsync(() => page.Instance.Authorize("k1", "a.bin", 100, null, null));

        page.Find("[aria-label='Pause a.bin']").Click();
        await page.InvokeAsync(() => page.Instance.StateChanged("k1", "paused", null));

        Assert.Equal("k1", _module.VerifyInvoke("pause").Arguments[0]);
        Assert.Equal("paused", StateOf(page, "a.bin"));
        Assert.NotNull(page.Find("[aria-label='Resume a.bin']"));
    }

    [Fact]
    public async Task Failed_ShowsTheReason_AndRetryAsksTheUploadClient()
    {
        var page = RenderSignedIn();
        await page.InvokeAsync(() => page.Instance.Authorize("k1", "a.bin", 100, null, null));

        await page.InvokeAsync(() => page.Instance.StateChanged("k1", "failed", "the server could not handle this request (HTTP 500)"));
        page.Find("[aria-label='Retry a.bin']").Click();

        Assert.Equal("failed", StateOf(page, "a.bin"));
        Assert.Contains("HTTP 500", page.Find("[data-testid=error]").TextContent, StringComparison.Ordinal);
        Assert.Equal("k1", _module.VerifyInvoke("retry").Arguments[0]);
    }

    [Fact]
    public async Task Waiting_WhileOffline_SaysItWillContinue()
    {
        var page = RenderSignedIn();
        await page.InvokeAsync(() => page.Instance.Authorize("k1", "a.bin", 100, null, null));

        await page.InvokeAsync(() => page.Instance.StateChanged("k1", "waiting", null));

        Assert.Equal("waiting", StateOf(page, "a.bin"));
        Assert.Contains("waiting for the network", page.Find("[data-testid=state]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Done_OffersTheFileAndSharing()
    {
        var page = RenderSignedIn();
        var answer = await page.InvokeAsync(() => page.Instance.Authorize("k1", "a.bin", 100, null, null));

        await page.InvokeAsync(() => page.Instance.Completed("k1"));

        Assert.Equal("done", StateOf(page, "a.bin"));
        Assert.Contains("(100%)", page.Find("[data-testid=progress]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"/upload/{answer.Path}", page.Find("a[href^='/upload/']").GetAttribute("href"));
        Assert.NotNull(page.Find("[aria-label='Select a.bin for sharing']"));
        Assert.Contains("1 of 1 done", page.Find("[data-testid=totals]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverQuota_SaysSo_AndAFileThatDoesNotFitIsRefusedBeforeSending()
    {
        await World.StoreAsync("s/old.bin", "alice", new byte[10_000]);
        var page = RenderSignedIn();

        var answer = await page.InvokeAsync(() => page.Instance.Authorize("k1", "more.bin", 10, null, null));

        Assert.NotNull(page.Find("[data-testid=over-quota]"));
        Assert.Null(answer.Token);
        Assert.Equal("refused", StateOf(page, "more.bin"));
        Assert.Contains("quota", page.Find("[data-testid=error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resumed_MarksTheFile_AndDropsItFromTheUnfinishedList()
    {
        var page = RenderSignedIn();
        await page.InvokeAsync(() => page.Instance.Unfinished([new UnfinishedUpload("big.iso", 5000, "tus::x::1", null), new UnfinishedUpload("other.iso", 10, "tus::y::2", null)]));
        Assert.Contains("big.iso", page.Find("[data-testid=unfinished]").TextContent, StringComparison.Ordinal);

        await page.InvokeAsync(() => page.Instance.Resumed("k1", "big.iso", 5000, "abc/big.iso"));

        Assert.NotNull(page.Find("[data-testid=resumed]"));
        Assert.DoesNotContain("big.iso", page.Find("[data-testid=unfinished]").TextContent, StringComparison.Ordinal);
        page.Find("[aria-label='Forget other.iso']").Click();
        Assert.Equal("tus::y::2", _module.VerifyInvoke("forget").Arguments[0]);
        Assert.Empty(page.FindAll("[data-testid=unfinished]"));
    }

    [Fact]
    public void Anonymous_WhenNotAllowed_IsSentToSignIn()
    {
        AddAuthorization();

        RenderPage<PortalUploadPage>();

        Assert.StartsWith("http://localhost/portal/login", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_WhenAllowed_UploadsWithoutAnAccount()
    {
        Portal.CurrentValue.AnonymousUpload = true;
        AddAuthorization();

        var page = RenderPage<PortalUploadPage>();

        Assert.Contains("Uploading without an account", page.Find("[data-testid=account]").TextContent, StringComparison.Ordinal);
    }
}
