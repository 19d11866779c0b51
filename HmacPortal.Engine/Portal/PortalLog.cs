using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Portal;

/// <summary>Log events of the portal (event ids 6100-6199). Invite tokens are never logged, only invite ids.</summary>
internal static partial class PortalLog
{
    [LoggerMessage(6100, LogLevel.Information, "Invite {InviteId} created for {Label}")]
    public static partial void InviteCreated(ILogger logger, string inviteId, string label);

    [LoggerMessage(6101, LogLevel.Information, "Invite {InviteId} revoked")]
    public static partial void InviteRevoked(ILogger logger, string inviteId);
}
