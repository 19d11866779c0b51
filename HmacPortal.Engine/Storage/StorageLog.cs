using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Storage;

/// <summary>Log events of the storage volume (event ids 2200-2219).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(2200, LogLevel.Error, "Storage at {Root} is unavailable, so uploads, deletions and reconciliation wait (503): {Problem}")]
    public static partial void VolumeUnavailable(ILogger logger, string root, string problem);

    [LoggerMessage(2201, LogLevel.Warning, "Storage at {Root} is available again")]
    public static partial void VolumeBack(ILogger logger, string root);

    [LoggerMessage(2202, LogLevel.Information, "Storage at {Root} carries this server's volume marker now")]
    public static partial void VolumeAdopted(ILogger logger, string root);
}
