using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Dedup;

/// <summary>Log events of deduplication (event ids 2900-2919).</summary>
internal static partial class DedupLog
{
    [LoggerMessage(2900, LogLevel.Debug, "{Path} shares its {Size} bytes with identical content already stored")]
    public static partial void Deduplicated(ILogger logger, string path, long size);

    [LoggerMessage(2901, LogLevel.Warning, "The content store {Directory} is not on the same file system as storage_path; files are not deduplicated")]
    public static partial void CrossDevice(ILogger logger, string directory);

    [LoggerMessage(2902, LogLevel.Error, "The stored content {Blob} is {Actual} bytes but {Path} with the same SHA-256 is {Expected}; it was left alone")]
    public static partial void SizeMismatch(ILogger logger, string blob, long actual, string path, long expected);

    [LoggerMessage(2903, LogLevel.Information, "Removed {Count} stored content blob(s) no file uses any more ({Bytes} bytes)")]
    public static partial void Collected(ILogger logger, int count, long bytes);
}
