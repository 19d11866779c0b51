namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[cors]</c> table.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    /// <summary>Empty allows any origin. Lists default to empty because the binder appends to a pre-filled list.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);
}
