using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Signing;

/// <summary>Log events of the keyring (event ids 5100-5199). Secrets are never logged, only key ids.</summary>
internal static partial class KeyringLog
{
    [LoggerMessage(5100, LogLevel.Warning, "HMAC key rotated: {KeyId} is current, {Retired} verifies until {Until}; give the XMPP server the new secret")]
    public static partial void Rotated(ILogger logger, string keyId, string retired, DateTimeOffset until);

    [LoggerMessage(5101, LogLevel.Warning, "The secret in [security] secret replaced key {Retired} in the keyring")]
    public static partial void Adopted(ILogger logger, string retired);

    [LoggerMessage(5102, LogLevel.Error, "The keyring {Path} cannot be read ({Reason}); the last good keyring is used until it is repaired")]
    public static partial void Unreadable(ILogger logger, string path, string reason);
}
