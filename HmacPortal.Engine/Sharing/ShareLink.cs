namespace HmacPortal.Engine.Sharing;

/// <summary>A link that shows one or more files to anyone who has it (and its password, if set).</summary>
public sealed record ShareLink(
    ShareId Id,
    string Owner,
    DateTimeOffset Created,
    DateTimeOffset? Expires,
    string? PasswordHash,
    int? MaxDownloads,
    int Downloads,
    bool DeleteAfterDownload,
    bool Revoked,
    IReadOnlyList<string> Files)
{
    public bool HasPassword => PasswordHash is not null;

    /// <summary>Previews would be downloads, so only links without a download limit show them.</summary>
    public bool ShowsPreviews => MaxDownloads is null;

    /// <summary>What the link does at <paramref name="now"/>; downloads in progress count against the limit.</summary>
    public ShareState StateAt(DateTimeOffset now) =>
        Revoked ? ShareState.Revoked
        : Expires is { } expires && expires <= now ? ShareState.Expired
        : MaxDownloads is { } max && Downloads >= max ? ShareState.Exhausted
        : ShareState.Active;
}
