using HmacPortal.Endpoints.Accounts;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Health;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Protection;
using HmacPortal.Engine.Quotas;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Telemetry;
using HmacPortal.Hosting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace HmacPortal.Endpoints.Admin;

/// <summary>
/// The admin JSON API under <c>/admin/api/</c>: what the console shows, for scripts and monitoring.
/// A signed-in admin's cookie or <c>Authorization: Bearer</c> with <c>[admin] api_token</c>;
/// anyone else gets 401 (never a redirect), whatever forwarded headers say.
/// </summary>
internal static class AdminApiEndpoints
{
    public const string Policy = "admin-api";

    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, AdminTokenHandler>(AdminTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, AdminTokenHandler.SchemeName)
            .RequireRole(AccountClaims.AdminRole));
        return services;
    }

    public static IEndpointRouteBuilder MapAdminApiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/admin/api").RequireAuthorization(Policy).DisableAntiforgery();
        api.MapGet("/stats", StatsAsync);
        api.MapGet("/files", (FileCatalog catalog, string? search, string? owner, int? skip, int? take, CancellationToken ct) =>
            catalog.QueryAsync(new FileQuery(search, FileSort.Newest, skip ?? 0, Math.Clamp(take ?? 50, 1, 500), owner), ct));
        api.MapDelete("/files/{**path}", async (string path, FileCatalog catalog, HttpContext context) =>
            await catalog.DeleteAsync(path, $"{context.User.Identity?.Name} (admin API)", context.RequestAborted)
                ? Results.NoContent()
                : HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "there is no such file"));
        api.MapGet("/bans", (BanList bans) => bans.Current());
        api.MapDelete("/bans/{client}", (string client, BanList bans, HttpContext context) =>
            bans.Lift(client, $"{context.User.Identity?.Name} (admin API)")
                ? Results.NoContent()
                : HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "that address is not banned"));
        api.MapGet("/keys", (Engine.Signing.Keyring keyring) => keyring.Describe());
        api.MapPost("/keys/rotate", async (Engine.Signing.Keyring keyring, HttpContext context) =>
        {
            if (!keyring.Describe().Enabled)
            {
                return HttpOutcomes.Problem(StatusCodes.Status409Conflict, "rotation-off", "Key rotation is off", "set [key_rotation] enabled = true to rotate keys");
            }

            var actor = $"{context.User.Identity?.Name} (admin API)";
            await keyring.RotateAsync(actor, context.RequestAborted);

            context.Response.Headers.CacheControl = "no-store";

            // The caller rotates in order to hand the new secret to the XMPP server, so it is answered (and audited).
            return Results.Ok(new { current = keyring.Describe().Keys[0].Id, secret = keyring.RevealCurrent(actor) });
        });
        api.MapGet("/users", UsersAsync);
        api.MapGet("/health", (ServerStatus status, Engine.Jobs.DiskSpaceWatchdog disk) =>
        {
            var storage = status.Storage;
            return new
            {
                version = ServerStatus.Version,
                uptimeSeconds = (long)status.Uptime.TotalSeconds,
                storageFreeBytes = storage.Volume.FreeBytes,
                storageProblem = storage.Problem,
                minFreeBytes = status.MinFreeBytes.Bytes,
                spaceLow = disk.IsLow,
            };
        });
        api.MapGet("/config", (ConfigEditor editor) =>
        {
            var document = editor.Load();
            var check = editor.Check(document.Text);
            return new
            {
                path = editor.FilePath,
                usable = check.IsUsable,
                diagnostics = check.Diagnostics.Select(d => new { error = d.IsError, d.Line, d.Column, d.Message }),
                hasPrevious = editor.HasBackup,
            };
        });
        return endpoints;
    }

    private static async Task<IResult> StatsAsync(TransferMonitor transfers, FileCatalog catalog, TusService tus, ServerStatus status, CancellationToken ct)
    {
        var snapshot = transfers.Snapshot();
        var storage = status.Storage;
        var files = await catalog.QueryAsync(new FileQuery(Take: 1), ct);
        return Results.Ok(new
        {
            snapshot.UploadsPerSecond,
            snapshot.DownloadsPerSecond,
            snapshot.BytesInPerSecond,
            snapshot.BytesOutPerSecond,
            errorsLastMinute = snapshot.ErrorsLastMinute.ToDictionary(e => e.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), e => e.Value),
            activeUploads = snapshot.Active,
            openResumableUploads = tus.ListOpen().Count,
            files = files.Total,
            storedBytes = await catalog.TotalSizeAsync(ct),
            storageFreeBytes = storage.Volume.FreeBytes,
            storageProblem = storage.Problem,
        });
    }

    private static async Task<IResult> UsersAsync(IOptionsMonitor<PortalOptions> portal, InviteService invites, QuotaLedger quotas, CancellationToken ct)
    {
        var users = new List<object>();
        foreach (var name in portal.CurrentValue.Users.Keys.Order(StringComparer.Ordinal))
        {
            users.Add(new { name, quota = portal.CurrentValue.UserQuota.Bytes, used = await quotas.UsedAsync(name, ct) });
        }

        var invited = new List<object>();
        foreach (var invite in invites.List())
        {
            invited.Add(new
            {
                invite.Id, invite.Label, invite.Quota, invite.MaxFileSize, invite.Expires, invite.Revoked,
                used = await quotas.UsedAsync(PortalAccount.InviteOwner(invite.Id), ct),
            });
        }

        return Results.Ok(new { users, invites = invited });
    }
}
