namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[timeouts]</c> table.</summary>
public sealed class TimeoutsOptions
{
    public const string Section = "Timeouts";

    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public ByteSize MinRequestRate { get; set; } = ByteSize.Parse("1KB");
    public TimeSpan Shutdown { get; set; } = TimeSpan.FromSeconds(30);
}
