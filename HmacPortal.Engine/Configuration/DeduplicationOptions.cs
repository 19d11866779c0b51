namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[deduplication]</c> table.</summary>
public sealed class DeduplicationOptions
{
    public const string Section = "Deduplication";

    public bool Enabled { get; set; }

    /// <summary>Where the content store lives (its blobs are in a <c>.hmacportal-dedup</c> folder there); empty is storage_path.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Files larger than this are not deduplicated; 0 means any size.</summary>
    public ByteSize MaxSize { get; set; } = new(0);
}
