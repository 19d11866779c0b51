namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[uploads]</c> table.</summary>
public sealed class UploadsOptions
{
    public const string Section = "Uploads";

    public List<string> AllowedExtensions { get; set; } = [];

    public bool ResumableUploadsEnabled { get; set; } = true;

    public string ResumablePath { get; set; } = "/files/";

    public bool AnonymousResumable { get; set; }

    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(24);
}
