using System.Security.Claims;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Admin;

/// <summary>
/// Admin sign-in with the password whose hash is <c>[admin] password_hash</c>: a form post with an
/// antiforgery token, a constant-time check, a lockout per client address (the socket's, never a
/// forwarded header), and an HttpOnly, SameSite=Strict cookie.
/// </summary>
internal static class AdminAuthEndpoints
{
    public const string Role = "admin";
    public const string Policy = "admin";
    public const string LoginPath = "/admin/login";

    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<SignInGuard>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.AccessDeniedPath = LoginPath;
            cookie.Cookie.Name = "hmacportal.admin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(Role));
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static IEndpointRouteBuilder MapAdminAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(LoginPath, SignInAsync);
        endpoints.MapPost("/admin/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        });
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        IOptionsMonitor<AdminOptions> admin,
        SignInGuard guard,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("HmacPortal.Admin");
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var back = IsLocal(returnUrl) ? returnUrl! : "/admin/files";
        if (guard.IsLockedOut(client, out var remaining))
        {
            AdminLog.LockedOut(logger, client);
            return Results.LocalRedirect($"{LoginPath}?locked={(int)Math.Ceiling(remaining.TotalMinutes)}&returnUrl={Uri.EscapeDataString(back)}");
        }

        var hash = admin.CurrentValue.PasswordHash;
        if (hash.Length == 0 || string.IsNullOrEmpty(password) || !PasswordHash.Verify(password, hash))
        {
            guard.RecordFailure(client);
            AdminLog.SignInFailed(logger, client);
            return Results.LocalRedirect($"{LoginPath}?error=1&returnUrl={Uri.EscapeDataString(back)}");
        }

        guard.RecordSuccess(client);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Role)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        AdminLog.SignedIn(logger, client);
        return Results.LocalRedirect(back);
    }

    /// <summary>Only paths on this site: no scheme, no host, no protocol-relative <c>//</c> or <c>/\</c>.</summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
