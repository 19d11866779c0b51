namespace HmacPortal.Engine.Configuration;

/// <summary>What reading one TOML file produced: flat configuration data and every problem found.</summary>
public sealed record ConfigReadResult(
    IReadOnlyDictionary<string, string?> Data,
    IReadOnlyList<ConfigDiagnostic> Diagnostics,
    IReadOnlyDictionary<string, (int Line, int Column)> Positions)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    public IEnumerable<ConfigDiagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<ConfigDiagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
