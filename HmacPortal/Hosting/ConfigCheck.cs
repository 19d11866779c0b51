using HmacPortal.Engine.Configuration;

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

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [new ConfigDiagnostic(ConfigSeverity.Error, $"cannot read the file: {ex.Message}", path, 0, 0)];
        }

        return ConfigValidation.Check(text, path).Diagnostics;
    }
}
