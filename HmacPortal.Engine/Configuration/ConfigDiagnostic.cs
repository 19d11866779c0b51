namespace HmacPortal.Engine.Configuration;

public enum ConfigSeverity
{
    Warning,
    Error,
}

/// <summary>A problem found in a configuration file, with where it is (1-based line and column).</summary>
public sealed record ConfigDiagnostic(ConfigSeverity Severity, string Message, string Source, int Line, int Column)
{
    public bool IsError => Severity == ConfigSeverity.Error;

    public override string ToString()
    {
        var where = Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
        var level = IsError ? "error" : "warning";
        return $"{where}: {level}: {Message}";
    }
}
