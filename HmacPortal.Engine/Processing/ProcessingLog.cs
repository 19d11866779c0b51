using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Processing;

/// <summary>Log events of post-processing (event ids 2800-2849).</summary>
internal static partial class ProcessingLog
{
    [LoggerMessage(2800, LogLevel.Information, "The post-processing queue is full ({Capacity}); {Path} is handed to the job server")]
    public static partial void Overflowed(ILogger logger, int capacity, string path);

    [LoggerMessage(2801, LogLevel.Warning, "Could not hand {Path} to the job server; it is processed by the next catch-up run")]
    public static partial void OverflowFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(2802, LogLevel.Error, "Post-processing {Path} failed; it is tried again by the next catch-up run")]
    public static partial void Failed(ILogger logger, string path, Exception exception);

    [LoggerMessage(2803, LogLevel.Information, "Post-processing workers: {From} -> {To} (queue depth {Depth})")]
    public static partial void Resized(ILogger logger, int from, int to, int depth);

    [LoggerMessage(2804, LogLevel.Information, "Stopping post-processing: {Depth} queued file(s) left for the catch-up run after start")]
    public static partial void LeftQueued(ILogger logger, int depth);

    [LoggerMessage(2805, LogLevel.Information, "Caught up on {Count} file(s) whose post-processing was not done")]
    public static partial void CaughtUp(ILogger logger, int count);

    [LoggerMessage(2806, LogLevel.Debug, "Processed {Path}: dedup {Dedup}, thumbnail {Thumbnail}")]
    public static partial void Processed(ILogger logger, string path, Dedup.DedupOutcome dedup, bool thumbnail);
}
