using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Configuration;

/// <summary>Log events of configuration edits (event ids 1100-1199). Values are never logged, only key names.</summary>
internal static partial class ConfigLog
{
    [LoggerMessage(1100, LogLevel.Warning, "Configuration saved by {By}; changed: {Keys}")]
    public static partial void Saved(ILogger logger, string by, string keys);
}
