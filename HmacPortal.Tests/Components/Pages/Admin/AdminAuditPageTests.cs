using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Audit;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminAuditPageTests : PortalComponentTestBase
{
    private readonly AuditTrail _audit;

    public AdminAuditPageTests()
        : base(userQuota: 1 << 20)
    {
        _audit = new AuditTrail(World.Database, World.Clock);
        Services.AddSingleton(_audit);
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    [Fact]
    public void Empty_SaysSo()
    {
        var page = RenderPage<AdminAuditPage>();

        Assert.NotNull(page.Find("[data-testid=audit-empty]"));
    }

    [Fact]
    public void Entries_AreListedNewestFirst_AndTheSearchNarrowsThem()
    {
        _audit.Record("signin.failed", "portal", "198.51.100.9", "portal");
        _audit.Record("ban.lifted", "admin", null, "198.51.100.9");
        _audit.Record("file.deleted", "expiry", null, "s/old.bin", "3 bytes, owner none");

        var page = RenderPage<AdminAuditPage>();
        Assert.Equal(["file.deleted", "ban.lifted", "signin.failed"], page.FindAll("[data-testid=audit-entry]").Select(e => e.GetAttribute("data-action")));

        page.Find("#audit-search").Change("198.51.100.9");

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=audit-entry]").Count), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("s/old.bin", page.Find("[data-testid=audit]").TextContent, StringComparison.Ordinal);
    }
}
