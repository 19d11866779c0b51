using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Sharing;

/// <summary>A link as its page shows it: its state now and each file's record (null once the file is gone).</summary>
public sealed record ShareView(ShareLink Link, ShareState State, IReadOnlyList<(string Path, FileRecord? File)> Files)
{
    /// <summary>Previews would be downloads, so they are offered only on links without a download limit.</summary>
    public bool AllowsPreview => Link.MaxDownloads is null && State == ShareState.Active;
}
