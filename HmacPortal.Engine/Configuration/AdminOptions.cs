namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[admin]</c> table.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string PasswordHash { get; set; } = string.Empty;

    public string ApiToken { get; set; } = string.Empty;

    /// <summary>Admin name to password hash, from <c>[admin.users]</c>.</summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
