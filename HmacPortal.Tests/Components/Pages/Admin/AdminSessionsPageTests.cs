using System.Text;
using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Resumable;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminSessionsPageTests : PortalComponentTestBase
{
    public AdminSessionsPageTests()
        : base(userQuota: 1 << 20)
    {
        Services.AddSingleton(World.Tus);
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    [Fact]
    public void None_SaysSo()
    {
        var page = RenderPage<AdminSessionsPage>();

        Assert.NotNull(page.Find("[data-testid=no-sessions]"));
    }

    [Fact]
    public async Task Open_ShowsOwnerClientProgressAndIdleTime_AndCancelRemovesIt()
    {
        var id = await CreateAsync("holiday.mov", 4096);
        World.Clock.Advance(TimeSpan.FromMinutes(10));
        var provider = Render<MudDialogProvider>();

        var page = RenderPage<AdminSessionsPage>();

        var row = page.Find("[data-testid=session]");
        Assert.Contains("holiday.mov", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("alice", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("203.0.113.5", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("0 B of 4 KiB", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("10 min", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("stalled", row.GetAttribute("data-state"));

        page.Find("[aria-label^='Cancel the upload of']").Click();
        provider.WaitForElement(".mud-dialog");
        provider.FindAll("button").First(b => b.TextContent.Contains("Cancel upload", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-sessions]")));
        Assert.Null(World.Sessions.Get(id));
    }

    [Fact]
    public async Task ChunkedUpload_IsListedWithItsChunks()
    {
        World.Uploads.ChunkSize = new HmacPortal.Engine.Configuration.ByteSize(1024);
        var mac = TestSigner.V(World.Security.Secret, "room/parts.bin", 3000);
        var opened = await World.Chunked.CreateAsync(new ChunkedCreateRequest("room/parts.bin", "3000", null, new HmacPortal.Engine.Signing.UploadCredentials(V: mac), "198.51.100.7", null));
        await World.Chunked.WriteChunkAsync(new ChunkRequest(opened.Session!.Id, "1", 1024, null), System.IO.Pipelines.PipeReader.Create(new MemoryStream(new byte[1024])), CancellationToken.None);

        var page = RenderPage<AdminSessionsPage>();

        var row = page.Find("[data-testid=session]");
        Assert.Equal("chunked, 1 of 3 chunks", row.QuerySelector("[data-testid=protocol]")!.TextContent);
        Assert.Contains("1 KiB of 2.9 KiB", row.TextContent, StringComparison.Ordinal);
    }

    private async Task<UploadId> CreateAsync(string name, long size)
    {
        var grant = await World.Portal.AuthorizeAsync(new PortalAccount("alice", "alice", 1 << 20, 1 << 20), name, size, null, CancellationToken.None);
        var created = await World.Tus.CreateAsync(new TusCreateRequest(
            size.ToString(System.Globalization.CultureInfo.InvariantCulture), null, $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(name))}", grant.Token, "203.0.113.5"));
        return UploadId.TryParse(created.Session!.Id, out var id) ? id : throw new InvalidOperationException(created.Detail);
    }
}
