using System.Security.Claims;
using HmacPortal.Engine.Portal;

namespace HmacPortal.Endpoints.Accounts;

/// <summary>The roles and claims of the one sign-in cookie: admins, portal users and invited guests.</summary>
internal static class AccountClaims
{
    public const string AdminRole = "admin";
    public const string UploaderRole = "uploader";
    public const string AdminPolicy = "admin";
    public const string UploaderPolicy = "uploader";
    public const string Owner = "hmacportal:owner";
    public const string InviteId = "hmacportal:invite";

    /// <summary>The main admin (<c>[admin] password_hash</c>) is "admin"; others are named in <c>[admin.users]</c>.</summary>
    public static ClaimsIdentity Admin(string name = "admin") => Identity(name, name, null, AdminRole, UploaderRole);

    public static ClaimsIdentity User(string name) => Identity(name, name, null, UploaderRole);

    public static ClaimsIdentity Guest(Invite invite) => Identity(invite.Label, PortalAccount.InviteOwner(invite.Id), invite.Id, UploaderRole);

    private static ClaimsIdentity Identity(string name, string owner, string? invite, params string[] roles)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(Owner, owner) };
        claims.AddRange(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        if (invite is not null)
        {
            claims.Add(new Claim(InviteId, invite));
        }

        return new ClaimsIdentity(claims, Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
