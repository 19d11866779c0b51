using System.Security.Claims;
using Bunit;
using HmacPortal.Endpoints.Accounts;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Support;

/// <summary>bUnit with the portal's services on a <see cref="PortalWorld"/> and one portal user, alice.</summary>
public abstract class PortalComponentTestBase : ComponentTestBase
{
    protected PortalComponentTestBase(long userQuota)
    {
        Portal = new TestOptionsMonitor<PortalOptions>(new PortalOptions { UserQuota = new ByteSize(userQuota) });
        Portal.CurrentValue.Users["alice"] = global::HmacPortal.Engine.Identity.PasswordHash.Create("unused in these tests");
        Services.AddSingleton<IOptionsMonitor<PortalOptions>>(Portal);
        Services.AddSingleton<IOptionsMonitor<ServerOptions>>(new TestOptionsMonitor<ServerOptions>(World.Server));
        Services.AddSingleton<IOptionsMonitor<UploadsOptions>>(new TestOptionsMonitor<UploadsOptions>(World.Uploads));
        Services.AddSingleton<IOptionsMonitor<AdminOptions>>(new TestOptionsMonitor<AdminOptions>(new AdminOptions()));
        Services.AddSingleton(World.Invites);
        Services.AddSingleton(World.Portal);
        Services.AddSingleton(World.Shares);
        Services.AddSingleton(World.Catalog);
        Services.AddSingleton<TimeProvider>(World.Clock);
        Services.AddSingleton(World.QuotaPolicy);
        Services.AddSingleton<PortalAccounts>();
    }

    protected PortalWorld World { get; } = new();

    protected TestOptionsMonitor<PortalOptions> Portal { get; }

    protected void SignInAlice() =>
        AddAuthorization().SetAuthorized("alice").SetRoles(AccountClaims.UploaderRole).SetClaims(new Claim(AccountClaims.Owner, "alice"));

    protected override void OnDisposed() => World.Dispose();
}
