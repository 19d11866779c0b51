using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Metadata;

/// <summary>Log events of the metadata store (event ids 3000-3099).</summary>
internal static partial class MetadataLog
{
    [LoggerMessage(3000, LogLevel.Warning, "Start-up reconciliation removed {TempFiles} unfinished temp file(s), dropped {Dropped} record(s) without a file and recorded {Recovered} file(s) without a record")]
    public static partial void Reconciled(ILogger logger, int tempFiles, int dropped, int recovered);

    [LoggerMessage(3001, LogLevel.Information, "Deleted {Path} (by {DeletedBy})")]
    public static partial void Deleted(ILogger logger, string path, string deletedBy);

    [LoggerMessage(3002, LogLevel.Warning, "A checkpoint of the database's write-ahead log failed ({Reason}); its commits stay in the log and the next write tries again")]
    public static partial void CheckpointFailed(ILogger logger, string reason);

    [LoggerMessage(3003, LogLevel.Warning, "Start-up reconciliation of files and records waits for the storage: {Problem}")]
    public static partial void ReconcilePostponed(ILogger logger, string problem);
}
