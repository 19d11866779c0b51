namespace HmacPortal.Hosting;

/// <summary>Log events of the host: configuration and lifecycle (event ids 1000-1099).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1000, LogLevel.Warning, "Configuration {Diagnostic}")]
    public static partial void ConfigWarning(ILogger logger, string diagnostic);

    [LoggerMessage(1001, LogLevel.Information, "Configuration file {Path} changed; the new settings are in force")]
    public static partial void ConfigApplied(ILogger logger, string path);

    [LoggerMessage(1002, LogLevel.Error, "Configuration file {Path} changed but was rejected; the last good settings stay in force: {Problems}")]
    public static partial void ConfigRejected(ILogger logger, string path, string problems);

    [LoggerMessage(1003, LogLevel.Information, "HmacPortal {Version} listening on {Addresses}")]
    public static partial void Listening(ILogger logger, string version, string addresses);

    [LoggerMessage(1004, LogLevel.Warning, "Could not write download counts; they are kept and written with the next flush: {Error}")]
    public static partial void CountFlushFailed(ILogger logger, string error);

    [LoggerMessage(1005, LogLevel.Warning, "Background jobs did not stop within the shutdown time; they were abandoned and run again on their next schedule")]
    public static partial void JobsAbandoned(ILogger logger);

    [LoggerMessage(1006, LogLevel.Error, "The keyring could not be brought in step with the config; the keys it holds stay in force: {Error}")]
    public static partial void KeyringNotSynchronised(ILogger logger, string error);
}
