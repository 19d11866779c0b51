using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Quotas;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminQuotasPageTests : PortalComponentTestBase
{
    public AdminQuotasPageTests()
        : base(userQuota: 4096) => AddAuthorization().SetAuthorized("admin").SetRoles("admin");

    [Fact]
    public void Empty_ListsThePortalUsersWithNothingUsed()
    {
        var page = RenderPage<AdminQuotasPage>();

        var row = page.Find("[data-testid=quota-row]");
        Assert.Equal("alice", row.GetAttribute("data-owner"));
        Assert.Contains("0 B", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("4 KiB (portal user_quota)", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owners_AreListedByUsage_WithTheLimitThatApplies_AndALimitCanBeSetAndRemoved()
    {
        await World.StoreAsync("a/1.bin", "alice", new byte[3000]);
        await World.StoreAsync("b/1.bin", "bob@example.org", new byte[1000]);
        var page = RenderPage<AdminQuotasPage>();

        Assert.Equal(["alice", "bob@example.org"], page.FindAll("[data-testid=quota-row]").Select(r => r.GetAttribute("data-owner")));
        Assert.Contains("portal user_quota", page.Find("[data-owner=alice] [data-testid=quota-limit]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 GiB (default)", page.Find("[data-owner='bob@example.org'] [data-testid=quota-limit]").TextContent, StringComparison.Ordinal);

        page.Find("#quota-owner").Change("bob@example.org");
        page.Find("#quota-size").Change("2KB");
        page.Find("[data-testid=quota-set]").Click();

        Assert.Contains("2 KiB (set here)", page.Find("[data-owner='bob@example.org'] [data-testid=quota-limit]").TextContent, StringComparison.Ordinal);
        Assert.Equal(new QuotaLimit(2048, QuotaSource.Admin), World.QuotaPolicy.LimitFor("bob@example.org"));

        page.Find("[aria-label='Remove the limit set for bob@example.org']").Click();
        Assert.Equal(QuotaSource.Default, World.QuotaPolicy.LimitFor("bob@example.org").Source);
    }

    [Fact]
    public void Set_WithABadSize_SaysWhy()
    {
        var page = RenderPage<AdminQuotasPage>();

        page.Find("#quota-owner").Change("carol");
        page.Find("#quota-size").Change("plenty");
        page.Find("[data-testid=quota-set]").Click();

        Assert.NotEmpty(page.Find("[data-testid=quota-error]").TextContent);
        Assert.Equal(QuotaSource.Default, World.QuotaPolicy.LimitFor("carol").Source);
    }
}
