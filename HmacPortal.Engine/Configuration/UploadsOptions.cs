namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[uploads]</c> table.</summary>
public sealed class UploadsOptions
{
    public const string Section = "Uploads";

    public List<string> AllowedExtensions { get; set; } = [];
}
