namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[admin]</c> table.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string PasswordHash { get; set; } = string.Empty;

    public string ApiToken { get; set; } = string.Empty;
}
