namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[security]</c> table.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public string Secret { get; set; } = string.Empty;
    public bool EnableJwt { get; set; }
    public string JwtSecret { get; set; } = string.Empty;
    public string JwtAlgorithm { get; set; } = "HS256";
    public TimeSpan JwtExpiration { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan V3Grace { get; set; } = TimeSpan.FromMinutes(5);
    public int BanAfter { get; set; } = 10;
    public TimeSpan BanWindow { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromHours(1);
}
