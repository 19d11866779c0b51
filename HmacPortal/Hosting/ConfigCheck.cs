using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Configuration;

namespace HmacPortal.Hosting;

/// <summary>Reads a config file and applies every rule: what <c>--validate</c> prints and what start-up refuses.</summary>
internal static class ConfigCheck
{
    public static IReadOnlyList<ConfigDiagnostic> Run(string path)
    {
        if (!File.Exists(path))
        {
            return [new ConfigDiagnostic(ConfigSeverity.Error, "the file does not exist (run without --validate once to create it, or use --genconfig)", path, 0, 0)];
        }

        ConfigReadResult read;
        try
        {
            read = TomlConfigReader.ReadFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [new ConfigDiagnostic(ConfigSeverity.Error, $"cannot read the file: {ex.Message}", path, 0, 0)];
        }

        if (read.HasErrors)
        {
            return read.Diagnostics;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(read.Data).Build();
        return [.. read.Diagnostics, .. ConfigRules.Locate(ConfigRules.CheckAll(configuration), read, path)];
    }
}
