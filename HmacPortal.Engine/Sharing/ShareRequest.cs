namespace HmacPortal.Engine.Sharing;

/// <summary>What a user asks for when sharing files.</summary>
/// <param name="ValidFor">How long the link works; null for a link that does not expire.</param>
/// <param name="Password">Null or empty for a link without a password.</param>
/// <param name="MaxDownloads">Null for no limit. Each download of a file or of the zip counts once.</param>
/// <param name="DeleteAfterDownload">Delete the files once the download limit is reached (the limit is 1 when none is given).</param>
public sealed record ShareRequest(
    IReadOnlyList<string> Files,
    TimeSpan? ValidFor,
    string? Password,
    int? MaxDownloads,
    bool DeleteAfterDownload);
