using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Jobs;

/// <summary>Log events of the recurring jobs (event ids 7000-7099).</summary>
internal static partial class JobsLog
{
    [LoggerMessage(7000, LogLevel.Information, "Expiry deleted {Count} expired file(s)")]
    public static partial void Expired(ILogger logger, int count);

    [LoggerMessage(7001, LogLevel.Information, "Sweep removed {Sessions} expired resumable upload(s) and {TempFiles} abandoned temp file(s)")]
    public static partial void Swept(ILogger logger, int sessions, int tempFiles);

    [LoggerMessage(7002, LogLevel.Information, "Maintenance: database check {Check}, {Dropped} record(s) without a file dropped, {Corrected} record(s) of files changed on disk corrected")]
    public static partial void Maintained(ILogger logger, string check, int dropped, int corrected);

    [LoggerMessage(7003, LogLevel.Error, "Maintenance: the metadata database failed its integrity check: {Check}")]
    public static partial void DatabaseDamaged(ILogger logger, string check);

    [LoggerMessage(7004, LogLevel.Warning, "Free space on the storage volume is down to {FreeBytes} bytes, below min_free_bytes ({MinFreeBytes}): uploads are turned away with 507, downloads keep working")]
    public static partial void SpaceLow(ILogger logger, long freeBytes, long minFreeBytes);

    [LoggerMessage(7005, LogLevel.Information, "Free space on the storage volume is back to {FreeBytes} bytes: uploads are accepted again")]
    public static partial void SpaceRestored(ILogger logger, long freeBytes);

    [LoggerMessage(7011, LogLevel.Warning, "Maintenance compared no record with its file, since the storage is unavailable: {Problem}")]
    public static partial void FilesNotCompared(ILogger logger, string problem);
}
