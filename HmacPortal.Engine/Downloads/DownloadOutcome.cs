using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Downloads;

public enum DownloadResult
{
    Found,
    NotFound,
    /// <summary>The name's suffix is not in [downloads] allowed_extensions: 403.</summary>
    NotAllowed,
    /// <summary>The virus scanner found malware in it; it was quarantined: 403.</summary>
    Quarantined,
}

/// <summary>A file that may be served: its record and where its bytes are.</summary>
public sealed record DownloadOutcome(DownloadResult Result, FileRecord? Record = null, FileInfo? File = null);
