using System.Security.Claims;
using HmacPortal.Engine.Audit;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Portal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Accounts;

/// <summary>
/// Sign-in for admins (<c>[admin] password_hash</c>), portal users (<c>[portal.users]</c>) and invited
/// guests (an invite link): form posts with an antiforgery token, constant-time checks, a lockout
/// per client address (the socket's, never a forwarded header), and one HttpOnly, SameSite=Strict
/// cookie that stops working when the account it names is removed or its invite ends.
/// </summary>
internal static class AccountEndpoints
{
    public const string AdminLoginPath = "/admin/login";
    public const string PortalLoginPath = "/portal/login";

    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddSingleton<SignInGuard>();
        services.AddSingleton<InviteService>();
        services.AddSingleton<PortalAccounts>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.LoginPath = PortalLoginPath;
            cookie.AccessDeniedPath = AdminLoginPath;
            cookie.Cookie.Name = "hmacportal.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            // Admin pages send to the admin's sign-in; everything else to the portal's.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                if (IsApi(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToLogin = context =>
            {
                // Scripts get a status, never a sign-in page.
                if (IsApi(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                var login = context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase)
                    || context.Request.Path.StartsWithSegments("/hangfire", StringComparison.OrdinalIgnoreCase) ? AdminLoginPath : PortalLoginPath;
                var back = $"{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.Redirect($"{login}?returnUrl={Uri.EscapeDataString(back)}");
                return Task.CompletedTask;
            };
            cookie.Events.OnValidatePrincipal = context =>
            {
                if (context.Principal is { } principal && !context.HttpContext.RequestServices.GetRequiredService<PortalAccounts>().IsCurrent(principal))
                {
                    context.RejectPrincipal();
                    return context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }

                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(AccountClaims.AdminPolicy, policy => policy.RequireRole(AccountClaims.AdminRole))
            .AddPolicy(AccountClaims.UploaderPolicy, policy => policy.RequireRole(AccountClaims.UploaderRole));
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(AdminLoginPath, AdminSignInAsync);
        endpoints.MapPost(PortalLoginPath, PortalSignInAsync);
        endpoints.MapPost("/invite/{token}/accept", RedeemInviteAsync);
        endpoints.MapPost("/logout", (Delegate)SignOutAsync);
        endpoints.MapPost("/admin/logout", (Delegate)SignOutAsync);
        return endpoints;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect("/");
    }

    private static Task<IResult> AdminSignInAsync(
        HttpContext context, [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl,
        IOptionsMonitor<AdminOptions> admin, SignInGuard guard, ILoggerFactory loggers)
    {
        var options = admin.CurrentValue;
        var name = username?.Trim() ?? string.Empty;
        return SignInAsync(context, guard, loggers, "admin", AdminLoginPath, LocalOr(returnUrl, "/admin"), () =>
        {
            if (string.IsNullOrEmpty(password))
            {
                return null;
            }

            // No name: the main admin password. A name: that admin in [admin.users] (an unknown name costs a hash check too).
            if (name.Length == 0 || name.Equals("admin", StringComparison.OrdinalIgnoreCase) && !options.Users.ContainsKey(name))
            {
                return options.PasswordHash.Length > 0 && PasswordHash.Verify(password, options.PasswordHash) ? AccountClaims.Admin() : null;
            }

            var known = options.Users.TryGetValue(name, out var hash);
            var matches = PasswordHash.Verify(password, known ? hash! : DummyHash.Value);
            return known && matches ? AccountClaims.Admin(options.Users.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))) : null;
        });
    }

    private static Task<IResult> PortalSignInAsync(
        HttpContext context, [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl,
        IOptionsMonitor<PortalOptions> portal, SignInGuard guard, ILoggerFactory loggers)
    {
        var users = portal.CurrentValue.Users;
        var name = username?.Trim() ?? string.Empty;
        return SignInAsync(context, guard, loggers, "portal", PortalLoginPath, LocalOr(returnUrl, "/portal"), () =>
        {
            // An unknown name costs a hash check too, so timing does not tell which names exist.
            var known = users.TryGetValue(name, out var hash);
            var matches = PasswordHash.Verify(password ?? string.Empty, known ? hash! : DummyHash.Value);
            return known && matches && !string.IsNullOrEmpty(password) ? AccountClaims.User(users.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))) : null;
        });
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, SignInGuard guard, ILoggerFactory loggers, string realm, string loginPath, string back, Func<ClaimsIdentity?> check)
    {
        var logger = loggers.CreateLogger("HmacPortal.Accounts");
        var audit = context.RequestServices.GetRequiredService<AuditTrail>();
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (guard.IsLockedOut(client, out var remaining))
        {
            AccountLog.LockedOut(logger, realm, client);
            audit.Record("signin.locked", realm, client, realm);
            return Results.LocalRedirect($"{loginPath}?locked={(int)Math.Ceiling(remaining.TotalMinutes)}&returnUrl={Uri.EscapeDataString(back)}");
        }

        if (check() is not { } identity)
        {
            guard.RecordFailure(client);
            AccountLog.SignInFailed(logger, realm, client);
            audit.Record("signin.failed", realm, client, realm);
            return Results.LocalRedirect($"{loginPath}?error=1&returnUrl={Uri.EscapeDataString(back)}");
        }

        guard.RecordSuccess(client);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        AccountLog.SignedIn(logger, identity.Name ?? realm, client);
        audit.Record("signin.ok", identity.Name ?? realm, client, realm);
        return Results.LocalRedirect(back);
    }

    private static async Task<IResult> RedeemInviteAsync(
        HttpContext context, string token, InviteService invites, SignInGuard guard, ILoggerFactory loggers, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery)
    {
        // Only the invite page's own form may accept it (the endpoint binds no form field, so the check is explicit).
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return HttpOutcomes.Problem(StatusCodes.Status400BadRequest, "antiforgery", "Form expired", "open the invite link again and accept it from its page");
        }

        var logger = loggers.CreateLogger("HmacPortal.Accounts");
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (guard.IsLockedOut(client, out var remaining))
        {
            AccountLog.LockedOut(logger, "invite", client);
            return Results.LocalRedirect($"{PortalLoginPath}?locked={(int)Math.Ceiling(remaining.TotalMinutes)}");
        }

        if (invites.Find(token) is not { } invite || !invites.IsUsable(invite))
        {
            guard.RecordFailure(client);
            AccountLog.InviteRefused(logger, client);
            context.RequestServices.GetRequiredService<AuditTrail>().Record("signin.failed", "invite", client, "invite link");
            return Results.LocalRedirect($"{PortalLoginPath}?invite=gone");
        }

        await context.SignInAsync(
            CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(AccountClaims.Guest(invite)),
            new AuthenticationProperties { ExpiresUtc = invite.Expires, AllowRefresh = false });
        AccountLog.InviteRedeemed(logger, invite.Id, client);
        context.RequestServices.GetRequiredService<AuditTrail>().Record("signin.ok", invite.Label, client, $"invite {invite.Id}");
        return Results.LocalRedirect("/portal");
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/admin/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>Only paths on this site: no scheme, no host, no protocol-relative <c>//</c> or <c>/\</c>.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static string LocalOr(string? url, string fallback) => IsLocal(url) ? url! : fallback;

    /// <summary>A hash of a random password, checked when a name is unknown so failures take as long as for known names.</summary>
    private static readonly Lazy<string> DummyHash = new(() => PasswordHash.Create(Guid.NewGuid().ToString("N")));
}
