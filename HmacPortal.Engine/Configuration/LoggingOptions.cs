namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[logging]</c> table.</summary>
public sealed class LoggingOptions
{
    public const string Section = "Logging";

    public string Level { get; set; } = "info";
    public string File { get; set; } = string.Empty;
    public ByteSize MaxSize { get; set; } = ByteSize.Parse("100MB");
    public int MaxBackups { get; set; } = 7;
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);
}
