using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Protection;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminBansPageTests : ComponentTestBase
{
    private readonly BanList _bans = new(new TestOptionsMonitor<SecurityOptions>(new SecurityOptions { BanAfter = 1 }), TimeProvider.System, NullLogger<BanList>.Instance);

    public AdminBansPageTests()
    {
        Services.AddSingleton(_bans);
    }

    [Fact]
    public void NoBans_SaysSo() =>
        Assert.Equal("No address is banned.", RenderPage<AdminBansPage>().Find("[data-testid=no-bans]").TextContent);

    [Fact]
    public void Ban_IsListedAndCanBeLifted()
    {
        _bans.RecordSignatureFailure("198.51.100.23");
        var page = RenderPage<AdminBansPage>();
        Assert.Contains("198.51.100.23", page.Markup, StringComparison.Ordinal);

        page.Find("button[aria-label='Lift the ban on 198.51.100.23']").Click();

        Assert.Null(_bans.Find("198.51.100.23"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-bans]")));
    }
}
