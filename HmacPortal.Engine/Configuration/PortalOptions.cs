namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[portal]</c> table and its <c>[portal.users]</c>.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    public bool Enabled { get; set; } = true;

    public bool AnonymousUpload { get; set; }

    public ByteSize UserQuota { get; set; } = ByteSize.Parse("10GB");

    /// <summary>User name to password hash, from <c>[portal.users]</c>.</summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
