using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Uploads;

/// <summary>The result of an upload, with a reason fit to show the client (never a path on disk or an exception).</summary>
public sealed record UploadOutcome(UploadResult Result, string Detail, FileRecord? Record = null)
{
    public static UploadOutcome Stored(FileRecord record) => new(UploadResult.Stored, string.Empty, record);
}
