namespace HmacPortal.Endpoints.Admin;

/// <summary>Log events of the admin console (event ids 4000-4099).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(4000, LogLevel.Information, "Admin signed in from {Client}")]
    public static partial void SignedIn(ILogger logger, string client);

    [LoggerMessage(4001, LogLevel.Warning, "Failed admin sign-in from {Client}")]
    public static partial void SignInFailed(ILogger logger, string client);

    [LoggerMessage(4002, LogLevel.Warning, "Admin sign-in from {Client} refused: locked out after repeated failures")]
    public static partial void LockedOut(ILogger logger, string client);
}
