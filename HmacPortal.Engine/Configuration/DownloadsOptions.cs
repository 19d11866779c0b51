namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[downloads]</c> table.</summary>
public sealed class DownloadsOptions
{
    public const string Section = "Downloads";

    public List<string> AllowedExtensions { get; set; } = [];
}
