namespace HmacPortal.Engine.Configuration;

/// <summary>What a configuration key holds, and so how its TOML value is checked.</summary>
public enum ConfigValueKind
{
    Text,
    Boolean,
    WholeNumber,
    Size,
    /// <summary>An integer number of megabytes (the Go server's log sizes) or a size string.</summary>
    Megabytes,
    Duration,
    /// <summary>An integer number of days (the Go server's form) or a duration string.</summary>
    Days,
    TextList,
    Secret,
}
