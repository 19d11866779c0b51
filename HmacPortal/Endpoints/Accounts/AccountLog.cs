namespace HmacPortal.Endpoints.Accounts;

/// <summary>Log events of sign-in and sign-out (event ids 4000-4099). Passwords and invite tokens are never logged.</summary>
internal static partial class AccountLog
{
    [LoggerMessage(4000, LogLevel.Information, "{Account} signed in from {Client}")]
    public static partial void SignedIn(ILogger logger, string account, string client);

    [LoggerMessage(4001, LogLevel.Warning, "Failed {Realm} sign-in from {Client}")]
    public static partial void SignInFailed(ILogger logger, string realm, string client);

    [LoggerMessage(4002, LogLevel.Warning, "{Realm} sign-in from {Client} refused: locked out after repeated failures")]
    public static partial void LockedOut(ILogger logger, string realm, string client);

    [LoggerMessage(4003, LogLevel.Information, "Invite {InviteId} redeemed from {Client}")]
    public static partial void InviteRedeemed(ILogger logger, string inviteId, string client);

    [LoggerMessage(4004, LogLevel.Warning, "Unusable invite link opened from {Client}")]
    public static partial void InviteRefused(ILogger logger, string client);
}
