using Microsoft.Extensions.Configuration;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// The one full check of a configuration text: TOML syntax, keys and types (with line and column),
/// then every rule. Start-up, <c>--validate</c>, hot reload and the config editor all use it.
/// </summary>
public static class ConfigValidation
{
    public static ConfigCheckResult Check(string text, string source)
    {
        var read = TomlConfigReader.Read(text, source);
        if (read.HasErrors)
        {
            return new ConfigCheckResult(read, read.Diagnostics);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(read.Data).Build();
        return new ConfigCheckResult(read, [.. read.Diagnostics, .. ConfigRules.Locate(ConfigRules.CheckAll(configuration), read, source)]);
    }
}

/// <summary>A checked configuration text: what was read and every diagnostic, errors first in importance.</summary>
public sealed record ConfigCheckResult(ConfigReadResult Read, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool IsUsable => !Diagnostics.Any(d => d.IsError);
}
