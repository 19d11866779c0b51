namespace HmacPortal.Engine.Dedup;

/// <summary>What deduplicating one stored file came to.</summary>
public enum DedupOutcome
{
    /// <summary>Deduplication is off, or the file is empty, too large or has no recorded hash.</summary>
    NotEligible,
    /// <summary>The first file with this content: the store now shares its bytes.</summary>
    Stored,
    /// <summary>The content was stored already: the file now shares those bytes and its own copy was freed.</summary>
    Deduplicated,
    /// <summary>The file was removed meanwhile; nothing changed.</summary>
    Gone,
    /// <summary>The store is not usable for this file (another file system, or a blob whose size differs); the file keeps its own bytes.</summary>
    Failed,
}
