using System.Security.Cryptography;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Quotas;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Portal;

/// <summary>
/// Gives a portal user a grant for each file they upload. The browser sends the file over the tus
/// endpoint, never through the live connection, and the tus endpoint checks the grant, the limits
/// and the quota again: what is checked here is only what the user is told up front.
/// </summary>
public sealed class PortalUploads(
    QuotaLedger quotas,
    UploadLimits limits,
    IOptionsMonitor<ServerOptions> server,
    IOptionsMonitor<UploadsOptions> uploads,
    IOptionsMonitor<SecurityOptions> security,
    TimeProvider clock,
    Keyring? keyring = null)
{
    public async Task<PortalLimits> LimitsAsync(PortalAccount account, CancellationToken cancellationToken) => new(
        Math.Min(account.MaxFileSize, server.CurrentValue.MaxUploadSize.Bytes),
        uploads.CurrentValue.AllowedExtensions.ToArray(),
        account.Quota,
        await quotas.UsedAsync(account.Owner, cancellationToken).ConfigureAwait(false));

    public async Task<PortalGrant> AuthorizeAsync(PortalAccount account, string fileName, long size, string? contentType, CancellationToken cancellationToken)
    {
        if (!uploads.CurrentValue.ResumableUploadsEnabled)
        {
            return PortalGrant.Refused("uploads from the portal need resumable uploads, which are turned off on this server");
        }

        if (!StoragePath.TryCreate(fileName, out var name, out var error) || name.Segments.Count != 1)
        {
            return PortalGrant.Refused($"the file name is not acceptable: {(error.Length > 0 ? error : "it contains '/'")}");
        }

        if (size < 0)
        {
            return PortalGrant.Refused("the file size is not known");
        }

        var known = await LimitsAsync(account, cancellationToken).ConfigureAwait(false);
        if (size > known.MaxFileSize)
        {
            return PortalGrant.Refused($"the file is larger than the limit of {new ByteSize(known.MaxFileSize).ToDisplayString()}");
        }

        if (size > known.Left)
        {
            return PortalGrant.Refused($"the file does not fit in the {new ByteSize(known.Left).ToDisplayString()} left of your quota");
        }

        // Every portal upload gets a directory of its own, so names never collide and a file's URL
        // reveals nothing about its owner.
        var slot = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (!StoragePath.TryCreate($"{slot}/{name.Value}", out var target, out error))
        {
            return PortalGrant.Refused(error);
        }

        var (breach, detail) = limits.Check(target, size);
        if (breach != LimitBreach.None)
        {
            return PortalGrant.Refused(detail);
        }

        var now = clock.GetUtcNow();
        var grant = new JwtGrant(account.Owner, now, now + PortalGrantKey.Lifetime, slot, name.Value, size,
            string.IsNullOrWhiteSpace(contentType) ? null : contentType, null, account.Quota);
        return new PortalGrant(grant.Write(PortalGrantKey.Derive(keyring?.SigningSecret() ?? security.CurrentValue.Secret), PortalGrantKey.Algorithm, PortalGrantKey.KeyId), target.Value, string.Empty);
    }
}
