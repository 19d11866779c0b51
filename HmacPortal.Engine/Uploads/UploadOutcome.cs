using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Uploads;

/// <summary>The result of an upload, with a reason fit to show the client (never a path on disk or an exception).</summary>
public sealed record UploadOutcome(UploadResult Result, string Detail, FileRecord? Record = null)
{
    /// <summary>How long to wait before trying again (a rate limit), when the result says to wait.</summary>
    public TimeSpan? Wait { get; init; }

    public static UploadOutcome Stored(FileRecord record) => new(UploadResult.Stored, string.Empty, record);
}
