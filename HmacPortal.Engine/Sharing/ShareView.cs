using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Sharing;

/// <summary>A link as its page shows it: its state now and each file's record (null once the file is gone).</summary>
public sealed record ShareView(ShareLink Link, ShareState State, IReadOnlyList<(string Path, FileRecord? File)> Files)
{
    public bool AllowsPreview => Link.ShowsPreviews && State == ShareState.Active;
}
