using Bunit;
using HmacPortal.Components.Pages.Portal;
using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace HmacPortal.Tests.Components.Pages.Portal;

public sealed class MyFilesAndShareDialogTests : PortalComponentTestBase
{
    public MyFilesAndShareDialogTests()
        : base(userQuota: 1 << 20) => SignInAlice();

    private async Task<IRenderedComponent<MudDialogProvider>> OpenShareDialogAsync(string file)
    {
        var provider = Render<MudDialogProvider>();
        var parameters = new DialogParameters<ShareDialog> { { d => d.Owner, "alice" }, { d => d.Files, new[] { file } } };
        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<ShareDialog>("Share files", parameters));
        return provider;
    }

    [Fact]
    public void MyFiles_Empty_SaysSo()
    {
        var page = RenderPage<MyFilesPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-files]")));
        Assert.NotNull(page.Find("[data-testid=no-links]"));
        Assert.Contains("Using 0 B of 1 MiB", page.Find("[data-testid=usage]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MyFiles_DeleteWhileTheStorageIsUnavailable_SaysSo_AndKeepsTheFile()
    {
        await World.StoreAsync("s1/kept.txt", "alice", new byte[100]);
        Services.AddSingleton(new HmacPortal.Engine.Metadata.FileCatalog(
            World.Metadata, UnmountedVolume.Files(World.ServerMonitor), Microsoft.Extensions.Logging.Abstractions.NullLogger<HmacPortal.Engine.Metadata.FileCatalog>.Instance));
        var provider = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();

        var page = RenderPage<MyFilesPage>();
        page.WaitForElement("[aria-label='Delete kept.txt']").Click();
        provider.WaitForElement(".mud-dialog");
        provider.FindAll("button").First(b => b.TextContent.Contains("Delete", StringComparison.Ordinal)).Click();

        snackbars.WaitForAssertion(() =>
        {
            Assert.Contains("kept.txt could not be deleted", snackbars.Markup, StringComparison.Ordinal);
            Assert.Contains("storage is unavailable right now", snackbars.Markup, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(World.Server.StoragePath, snackbars.Markup, StringComparison.Ordinal);
        Assert.NotNull(await World.Metadata.GetAsync("s1/kept.txt", CancellationToken.None));
    }

    [Fact]
    public async Task MyFiles_ListsOnlyTheUsersFilesAndLinks_AndRevokeEndsALink()
    {
        var mine = await World.StoreAsync("s1/mine.txt", "alice", new byte[2048]);
        await World.StoreAsync("s2/theirs.txt", "bob", new byte[10]);
        var link = (await World.Shares.CreateAsync("alice", new ShareRequest([mine], TimeSpan.FromDays(1), null, 3, false), CancellationToken.None)).Link!;

        var page = RenderPage<MyFilesPage>();

        page.WaitForAssertion(() => Assert.Contains("mine.txt", page.Find("[data-testid=my-files]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("theirs.txt", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Using 2 KiB of 1 MiB", page.Find("[data-testid=usage]").TextContent, StringComparison.Ordinal);
        var row = page.Find("[data-testid=link-row]");
        Assert.Equal("active", row.GetAttribute("data-state"));
        Assert.Contains("0 of 3", row.TextContent, StringComparison.Ordinal);

        page.Find("[aria-label='Revoke link']").Click();

        page.WaitForAssertion(() => Assert.Equal("revoked", page.Find("[data-testid=link-row]").GetAttribute("data-state")));
        Assert.Equal(ShareState.Revoked, (await World.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task ShareDialog_CreatesAPasswordLinkWithALimit_AndShowsItsUrlAndQrCode()
    {
        var file = await World.StoreAsync("s1/a.txt", "alice", new byte[10]);
        var provider = await OpenShareDialogAsync(file);

        provider.Find("#share-password").Change("hunter22");
        provider.Find("#share-limit").Change("1");
        provider.Find("[data-testid=share-create]").Click();

        var url = provider.Find("#share-url").GetAttribute("value")!;
        Assert.Matches("^http://localhost/s/[A-Za-z0-9_-]{22}$", url);
        Assert.NotNull(provider.Find("[data-testid=share-qr] svg"));
        var created = World.Shares.List("alice").Single();
        Assert.True(created.HasPassword);
        Assert.Equal(1, created.MaxDownloads);
        Assert.Equal(World.Clock.GetUtcNow() + TimeSpan.FromDays(7), created.Expires);
    }

    [Fact]
    public async Task ShareDialog_ForSomeoneElsesFile_ShowsTheRefusal()
    {
        var theirs = await World.StoreAsync("s1/b.txt", "bob", new byte[10]);
        var provider = await OpenShareDialogAsync(theirs);

        provider.Find("[data-testid=share-create]").Click();

        Assert.Contains("not one of your files", provider.Find("[data-testid=share-error]").TextContent, StringComparison.Ordinal);
        Assert.Empty(World.Shares.List("alice"));
    }
}
