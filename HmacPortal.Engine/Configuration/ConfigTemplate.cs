using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// Writes a complete, commented <c>config.toml</c> from <see cref="ConfigSchema"/>: every key with its
/// description, default and whether it needs a restart. Used by <c>--genconfig</c> and for the file
/// written on first start.
/// </summary>
public static class ConfigTemplate
{
    /// <summary>A fresh secret: 32 random bytes as 64 hex characters.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>A random password that is easy to copy: 24 characters from an unambiguous alphabet.</summary>
    public static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 24);
    }

    /// <param name="values">Values to write instead of the defaults, keyed by <see cref="ConfigKey.DisplayName"/>.</param>
    public static string Render(IReadOnlyDictionary<string, string> values)
    {
        var text = new StringBuilder();
        text.AppendLine("# HmacPortal configuration. Every key is listed with its default.");
        text.AppendLine("# Sizes: 512KB, 10GB, 1TB, 123B (binary multiples). Durations: 30s, 1h30m, 7d, 2w.");
        text.AppendLine("# Keys marked (restart) take effect after a restart; the others apply when the file is saved.");
        text.AppendLine("# A config.toml written for the Go HMAC File Server is read too; run --validate to see what it changes.");
        foreach (var table in ConfigSchema.Tables)
        {
            text.AppendLine();
            text.Append('[').Append(table).AppendLine("]");
            foreach (var key in ConfigSchema.Keys.Where(k => k.Table == table))
            {
                text.AppendLine();
                foreach (var line in Wrap(key.Description + (key.RestartRequired ? " (restart)" : string.Empty), 96))
                {
                    text.Append("# ").AppendLine(line);
                }

                var value = values.TryGetValue(key.DisplayName, out var given) ? given : key.Default;
                text.Append(key.Name).Append(" = ").AppendLine(Literal(key.Kind, value));
            }
        }

        foreach (var named in ConfigSchema.NamedTables.Values)
        {
            text.AppendLine();
            foreach (var line in Wrap(named.Description, 96))
            {
                text.Append("# ").AppendLine(line);
            }

            text.Append("# [").Append(named.Table).AppendLine("]");
            text.Append("# ").Append(named.ExampleName).Append(" = ").AppendLine(Quote(named.ExampleValue));
        }

        return text.ToString();
    }

    internal static string Literal(ConfigValueKind kind, string value) => kind switch
    {
        ConfigValueKind.Boolean or ConfigValueKind.WholeNumber => value,
        ConfigValueKind.Days when value.All(char.IsAsciiDigit) => value,
        ConfigValueKind.TextList => "[" + string.Join(", ",
            value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Quote)) + "]",
        _ => Quote(value),
    };

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + word.Length + 1 > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
