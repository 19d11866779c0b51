using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Uploads;

/// <summary>Log events of the upload receiver (event ids 2000-2099). Paths are logged; MACs and tokens never are.</summary>
internal static partial class UploadLog
{
    [LoggerMessage(2000, LogLevel.Information, "Stored {Path} ({Size} bytes, {Protocol}) from {Client}")]
    public static partial void Stored(ILogger logger, string path, long size, string protocol, string? client);

    [LoggerMessage(2001, LogLevel.Warning, "Refused upload of {Path} from {Client}: {Result} ({Detail})")]
    public static partial void Refused(ILogger logger, string path, string? client, UploadResult result, string detail);

    [LoggerMessage(2002, LogLevel.Debug, "Upload of {Path} from {Client} ended early: {Result}")]
    public static partial void Abandoned(ILogger logger, string path, string? client, UploadResult result);

    [LoggerMessage(2003, LogLevel.Information, "Upload of {Path} lost the race: another upload stored it first")]
    public static partial void LostRace(ILogger logger, string path);

    [LoggerMessage(2004, LogLevel.Error, "Upload of {Path} could not be recorded, so its file was removed: {Reason}")]
    public static partial void Unrecorded(ILogger logger, string path, string reason);
}
