using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Resumable;

/// <summary>Log events of resumable uploads (event ids 2100-2199). Upload ids are capabilities: only their first 8 characters are logged.</summary>
internal static partial class TusLog
{
    [LoggerMessage(2100, LogLevel.Information, "Resumable upload {Id} created for {Target} ({Length} bytes) from {Client}")]
    public static partial void Created(ILogger logger, string id, string target, string length, string? client);

    [LoggerMessage(2101, LogLevel.Debug, "Resumable upload {Id} interrupted at offset {Offset}; the bytes are kept")]
    public static partial void Interrupted(ILogger logger, string id, long offset);

    [LoggerMessage(2102, LogLevel.Warning, "Resumable upload {Id}: {Result} ({Detail})")]
    public static partial void Refused(ILogger logger, string id, TusResult result, string detail);

    [LoggerMessage(2103, LogLevel.Information, "Removed {Count} expired resumable upload(s)")]
    public static partial void Swept(ILogger logger, int count);
}
