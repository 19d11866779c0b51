using System.Security.Claims;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Portal;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Accounts;

/// <summary>
/// Turns whoever is signed in into the portal account they upload as. Quotas and limits are read
/// from the live config and the invite, so a change applies at once; an account whose user was
/// removed from the config or whose invite ended is no account.
/// </summary>
internal sealed class PortalAccounts(
    IOptionsMonitor<PortalOptions> portal, IOptionsMonitor<ServerOptions> server, IOptionsMonitor<AdminOptions> admin, InviteService invites, Engine.Quotas.QuotaPolicy quotas)
{
    public PortalAccount? Resolve(ClaimsPrincipal? user)
    {
        var options = portal.CurrentValue;
        if (!options.Enabled)
        {
            return null;
        }

        var maxSize = server.CurrentValue.MaxUploadSize.Bytes;
        if (user?.Identity?.IsAuthenticated == true && user.FindFirstValue(AccountClaims.InviteId) is { } inviteId)
        {
            if (invites.Get(inviteId) is { } invite && invites.IsUsable(invite))
            {
                return invite.Account;
            }
        }
        else if (user?.Identity?.IsAuthenticated == true && IsCurrent(user))
        {
            var name = user.Identity.Name ?? string.Empty;
            var owner = user.FindFirstValue(AccountClaims.Owner) ?? name;
            return new PortalAccount(name, owner, quotas.LimitFor(owner, fallback: options.UserQuota.Bytes).Bytes, maxSize);
        }

        return options.AnonymousUpload
            ? new PortalAccount("anonymous", PortalAccount.AnonymousOwner, options.UserQuota.Bytes, maxSize, IsAnonymous: true)
            : null;
    }

    /// <summary>Whether a signed-in principal still names an account that exists and may sign in.</summary>
    public bool IsCurrent(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(AccountClaims.InviteId) is { } inviteId)
        {
            return invites.Get(inviteId) is { } invite && invites.IsUsable(invite);
        }

        if (user.IsInRole(AccountClaims.AdminRole))
        {
            var adminName = user.Identity?.Name;
            return adminName == "admin" ? admin.CurrentValue.PasswordHash.Length > 0 : adminName is not null && admin.CurrentValue.Users.ContainsKey(adminName);
        }

        return user.Identity?.Name is { } name && portal.CurrentValue.Users.ContainsKey(name);
    }
}
