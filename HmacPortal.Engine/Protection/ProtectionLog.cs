using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Protection;

/// <summary>Log events of abuse protection (event ids 5000-5099).</summary>
internal static partial class ProtectionLog
{
    [LoggerMessage(5000, LogLevel.Warning, "Banned {Client} until {Until}: {Reason}")]
    public static partial void Banned(ILogger logger, string client, DateTimeOffset until, string reason);

    [LoggerMessage(5001, LogLevel.Information, "Ban on {Client} lifted by {LiftedBy}")]
    public static partial void Lifted(ILogger logger, string client, string liftedBy);
}
