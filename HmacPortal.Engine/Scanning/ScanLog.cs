using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Scanning;

/// <summary>Log events of virus scanning (event ids 2940-2959).</summary>
internal static partial class ScanLog
{
    [LoggerMessage(2940, LogLevel.Warning, "Found {Signature} in {Path}; the file was quarantined")]
    public static partial void Infected(ILogger logger, string signature, string path);

    [LoggerMessage(2941, LogLevel.Warning, "clamd could not scan {Path}; it is scanned again later")]
    public static partial void Unavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(2942, LogLevel.Error, "clamd is unavailable: scanning is paused for {Break}")]
    public static partial void BreakerOpened(ILogger logger, TimeSpan @break);

    [LoggerMessage(2943, LogLevel.Information, "clamd answers again: scanning goes on")]
    public static partial void BreakerClosed(ILogger logger);
}
