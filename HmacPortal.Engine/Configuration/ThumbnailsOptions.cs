namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[thumbnails]</c> table.</summary>
public sealed class ThumbnailsOptions
{
    public const string Section = "Thumbnails";

    public bool Enabled { get; set; } = true;

    /// <summary>The longest side of a thumbnail, in pixels.</summary>
    public int Size { get; set; } = 320;

    /// <summary>Images with more pixels than this get no thumbnail (a guard against decompression bombs).</summary>
    public long MaxPixels { get; set; } = 50_000_000;
}
