using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminInvitesPageTests : PortalComponentTestBase
{
    public AdminInvitesPageTests()
        : base(userQuota: 5L << 30)
    {
    }

    [Fact]
    public void Create_ShowsTheLinkOnce_AndListsTheInvite()
    {
        var page = RenderPage<AdminInvitesPage>();

        page.Find("#invite-label").Change("Conference speakers");
        page.Find("#invite-max").Change("200MB");
        page.Find("[data-testid=invite-create]").Click();

        var link = page.Find("[data-testid=invite-link] code").TextContent;
        Assert.Matches("^http://localhost/invite/[A-Za-z0-9_-]{43}$", link);
        var invite = Assert.Single(World.Invites.List());
        Assert.Equal(("Conference speakers", 5L << 30, 200L << 20), (invite.Label, invite.Quota, invite.MaxFileSize));
        Assert.Equal(invite, World.Invites.Find(link[(link.LastIndexOf('/') + 1)..]));
        Assert.Contains("Conference speakers", page.Find("[data-testid=invites]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WithABadSize_SaysWhy_AndCreatesNothing()
    {
        var page = RenderPage<AdminInvitesPage>();

        page.Find("#invite-label").Change("guest");
        page.Find("#invite-quota").Change("lots");
        page.Find("[data-testid=invite-create]").Click();

        Assert.NotEmpty(page.Find("[data-testid=invite-error]").TextContent);
        Assert.Empty(World.Invites.List());
    }

    [Fact]
    public void Revoke_EndsTheInvite()
    {
        var (invite, _, _) = World.Invites.Create("guest", 1000, 1000, TimeSpan.FromDays(1));
        var page = RenderPage<AdminInvitesPage>();

        page.Find("[aria-label='Revoke the invite for guest']").Click();

        Assert.False(World.Invites.IsUsable(World.Invites.Get(invite!.Id)!));
        Assert.Contains("revoked", page.Find("[data-testid=invites]").TextContent, StringComparison.Ordinal);
    }
}
