using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminPagesTests : ComponentTestBase
{
    private readonly TempDirectory _dir = new();
    private readonly TestOptionsMonitor<AdminOptions> _admin = new(new AdminOptions { PasswordHash = PasswordHash.Create("pw-for-tests") });
    private readonly SqliteDatabase _database;
    private readonly SqlMetadataStore _metadata;

    public AdminPagesTests()
    {
        var server = new ServerOptions { StoragePath = _dir.Combine("files"), DataPath = _dir.Combine("state") };
        _database = new SqliteDatabase(Options.Create(server));
        _metadata = new SqlMetadataStore(_database);
        Services.AddSingleton<IOptionsMonitor<AdminOptions>>(_admin);
        Services.AddSingleton<IOptionsMonitor<ServerOptions>>(new TestOptionsMonitor<ServerOptions>(server));
        Services.AddSingleton(new FileCatalog(_metadata, new FileStore(new TestOptionsMonitor<ServerOptions>(server)), NullLogger<FileCatalog>.Instance));
        Services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Login_ShowsPasswordFormWithAntiforgeryToken()
    {
        var page = RenderPage<AdminLoginPage>();

        Assert.NotNull(page.Find("form[method=post][action='/admin/login'] input[type=password][name=password]"));
        Assert.Empty(page.FindAll("[data-testid=error]"));
    }

    [Fact]
    public void Login_AfterFailure_SaysSo()
    {
        NavigateTo("/admin/login?error=1");

        var page = RenderPage<AdminLoginPage>();

        Assert.Contains("That password is not right", page.Find("[data-testid=error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_WhenLockedOut_SaysHowLong()
    {
        NavigateTo("/admin/login?locked=12");

        var page = RenderPage<AdminLoginPage>();

        Assert.Contains("12 minute(s)", page.Find("[data-testid=locked]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_WithoutPasswordHash_ExplainsHowToTurnItOn()
    {
        _admin.Set(new AdminOptions());

        var page = RenderPage<AdminLoginPage>();

        Assert.Contains("--hash-password", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("form"));
    }

    [Fact]
    public void Files_Empty_SaysNoFiles()
    {
        var page = RenderPage<AdminFilesPage>();

        page.WaitForAssertion(() => Assert.Contains("No files match.", page.Find("[data-testid=empty]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_ListsRecordsWithLinksAndSizes()
    {
        await _metadata.RecordAsync(new FileRecord("u1/très cool.jpg", "u1/très cool.jpg", 2048, "image/jpeg", null, "juliet@example.org", "v2", null, DateTimeOffset.UnixEpoch, null), CancellationToken.None);

        var page = RenderPage<AdminFilesPage>();

        page.WaitForAssertion(() =>
        {
            var link = page.Find("a[href='/upload/u1/tr%C3%A8s%20cool.jpg']");
            Assert.Equal("u1/très cool.jpg", link.TextContent);
            Assert.Contains("2 KiB", page.Markup, StringComparison.Ordinal);
            Assert.Contains("juliet@example.org", page.Markup, StringComparison.Ordinal);
            Assert.NotNull(page.Find("button[aria-label='Delete u1/très cool.jpg']"));
            Assert.Equal("never", page.Find("[data-testid=expires]").TextContent);
        });
    }

    [Fact]
    public async Task Files_DeleteWhileTheStorageIsUnavailable_SaysSo_AndKeepsTheRecord()
    {
        var server = new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = _dir.Combine("files"), DataPath = _dir.Combine("state") });
        Services.AddSingleton(new FileCatalog(_metadata, UnmountedVolume.Files(server), NullLogger<FileCatalog>.Instance));
        await _metadata.RecordAsync(new FileRecord("u1/kept.jpg", "u1/kept.jpg", 2048, "image/jpeg", null, null, "v2", null, DateTimeOffset.UnixEpoch, null), CancellationToken.None);
        var provider = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();

        var page = RenderPage<AdminFilesPage>();
        page.WaitForElement("button[aria-label='Delete u1/kept.jpg']").Click();
        provider.WaitForElement(".mud-dialog");
        provider.FindAll("button").First(b => b.TextContent.Contains("Delete", StringComparison.Ordinal)).Click();

        snackbars.WaitForAssertion(() => Assert.Contains("u1/kept.jpg was not deleted: the storage directory does not carry this server's volume marker", snackbars.Markup, StringComparison.Ordinal));
        Assert.NotNull(await _metadata.GetAsync("u1/kept.jpg", CancellationToken.None));
    }

    private void NavigateTo(string uri) => Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(uri);

    protected override void OnDisposed()
    {
        _database.Dispose();
        _dir.Dispose();
    }
}
