using System.Globalization;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// Reads <c>config.toml</c> (HmacPortal's own or one written for the Go HMAC File Server) into flat
/// <c>IConfiguration</c> data. Walks the syntax tree rather than deserialising so that every key,
/// known or not, is seen with its line and column: unknown keys are errors, the Go server's
/// misspellings and Go-only keys are warnings, and values are type-checked here so a bad size or
/// duration is reported where it was written.
/// </summary>
public static class TomlConfigReader
{
    public static ConfigReadResult ReadFile(string path) =>
        Read(File.ReadAllText(path), path);

    public static ConfigReadResult Read(string text, string sourceName)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var diagnostics = new List<ConfigDiagnostic>();
        var positions = new Dictionary<string, (int, int)>(StringComparer.OrdinalIgnoreCase);

        var document = SyntaxParser.Parse(text, sourceName, true);
        foreach (var message in document.Diagnostics)
        {
            diagnostics.Add(new ConfigDiagnostic(
                message.Kind == DiagnosticMessageKind.Error ? ConfigSeverity.Error : ConfigSeverity.Warning,
                message.Message, sourceName, message.Span.Start.Line + 1, message.Span.Start.Column + 1));
        }

        if (document.HasErrors)
        {
            return new ConfigReadResult(data, diagnostics, positions);
        }

        var seen = new Dictionary<(string, string), int>();
        var context = new ReadContext(sourceName, data, diagnostics, positions, seen);

        foreach (var keyValue in document.KeyValues)
        {
            context.Entry(string.Empty, keyValue);
        }

        foreach (var table in document.Tables)
        {
            var tableName = KeyText(table.Name);
            if (table is TableArraySyntax)
            {
                context.Report(ConfigSeverity.Error, table, $"[[{tableName}]]: arrays of tables are not part of the configuration");
                continue;
            }

            foreach (var keyValue in table.Items)
            {
                context.Entry(tableName, keyValue);
            }
        }

        return new ConfigReadResult(data, diagnostics, positions);
    }

    internal static string KeyText(KeySyntax? key) => string.Join('.', KeyParts(key));

    /// <summary>The parts of a dotted key, lower-cased; a quoted part may itself contain dots.</summary>
    internal static IReadOnlyList<string> KeyParts(KeySyntax? key)
    {
        if (key?.Key is null)
        {
            return [];
        }

        var parts = new List<string> { KeyPart(key.Key) };
        parts.AddRange(key.DotKeys.Select(d => KeyPart(d.Key)));
        return parts.Select(p => p.ToLowerInvariant()).ToList();
    }

    private static string KeyPart(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };

    private sealed record ReadContext(
        string Source,
        Dictionary<string, string?> Data,
        List<ConfigDiagnostic> Diagnostics,
        Dictionary<string, (int, int)> Positions,
        Dictionary<(string, string), int> Seen)
    {
        public void Report(ConfigSeverity severity, SyntaxNodeBase node, string message) =>
            Diagnostics.Add(new ConfigDiagnostic(severity, message, Source, node.Span.Start.Line + 1, node.Span.Start.Column + 1));

        public void Entry(string tableName, KeyValueSyntax keyValue)
        {
            var parts = KeyParts(keyValue.Key);
            var table = string.Join('.', new[] { tableName }.Concat(parts.Take(parts.Count - 1)).Where(p => p.Length > 0));
            var name = parts.Count > 0 ? parts[^1] : string.Empty;
            var display = table.Length == 0 ? name : $"[{table}] {name}";

            if (ConfigSchema.Aliases.TryGetValue((table, name), out var canonical))
            {
                Report(ConfigSeverity.Warning, keyValue,
                    $"{display} is a misspelling the Go server accepted; read as [{canonical.Table}] {canonical.Name}, please rename it");
                (table, name) = canonical;
                display = $"[{table}] {name}";
            }

            if (Seen.TryGetValue((table, name), out var firstLine))
            {
                Report(ConfigSeverity.Error, keyValue, $"{display} is set twice (first on line {firstLine})");
                return;
            }

            Seen[(table, name)] = keyValue.Span.Start.Line + 1;

            if (ConfigSchema.NamedTables.TryGetValue(table, out var named))
            {
                NamedEntry(named, display, name, keyValue);
            }
            else if (ConfigSchema.Find(table, name) is { } key)
            {
                Positions[key.ConfigurationPath] = (keyValue.Span.Start.Line + 1, keyValue.Span.Start.Column + 1);
                Convert(key, keyValue);
            }
            else if (ConfigSchema.GoOnlyKeys.TryGetValue((table, name), out var why)
                     || ConfigSchema.GoOnlyTables.TryGetValue(table, out why))
            {
                Report(ConfigSeverity.Warning, keyValue, $"{display} is a Go HMAC File Server setting that is accepted but ignored: {why}");
            }
            else
            {
                Report(ConfigSeverity.Error, keyValue, $"unknown key {display}{Suggestion(table, name)}");
            }
        }

        private void NamedEntry(NamedValuesTable named, string display, string name, KeyValueSyntax keyValue)
        {
            if (!named.Accepts(name))
            {
                Report(ConfigSeverity.Error, keyValue, named.NamesAreAddresses
                    ? $"{display}: a name may not hold spaces, control characters or ':'"
                    : $"{display}: a name may hold only letters, digits, '.', '_' and '-' (at most 64)");
            }
            else if (keyValue.Value is StringValueSyntax { Value: { } value })
            {
                var path = $"{named.ConfigurationPath}:{name}";
                Data[path] = value;
                Positions[path] = (keyValue.Span.Start.Line + 1, keyValue.Span.Start.Column + 1);
            }
            else
            {
                Report(ConfigSeverity.Error, keyValue.Value ?? (SyntaxNodeBase)keyValue, $"{display}: expected a string");
            }
        }

        private static string Suggestion(string table, string name)
        {
            var best = ConfigSchema.Keys
                .Select(k => (Key: k, Distance: Distance(k.Table == table ? k.Name : $"{k.Table}.{k.Name}", name)))
                .OrderBy(p => p.Distance)
                .FirstOrDefault();
            return best.Key is not null && best.Distance <= Math.Max(2, name.Length / 3)
                ? $" (did you mean {best.Key.DisplayName}?)"
                : string.Empty;
        }

        private static int Distance(string a, string b)
        {
            var row = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var previous = row[0];
                row[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var current = row[j];
                    row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                    previous = current;
                }
            }

            return row[b.Length];
        }

        private void Convert(ConfigKey key, KeyValueSyntax keyValue)
        {
            var value = keyValue.Value;
            var path = key.ConfigurationPath;

            void Fail(string expected) =>
                Report(ConfigSeverity.Error, keyValue.Value ?? (SyntaxNodeBase)keyValue, $"{key.DisplayName}: {expected}");

            switch (key.Kind)
            {
                case ConfigValueKind.Text or ConfigValueKind.Secret:
                    if (value is StringValueSyntax text)
                    {
                        Data[path] = text.Value;
                    }
                    else if (value is IntegerValueSyntax number && key.Kind == ConfigValueKind.Text)
                    {
                        Data[path] = number.Value.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        Fail("expected a string");
                    }

                    break;

                case ConfigValueKind.Boolean:
                    if (value is BooleanValueSyntax flag)
                    {
                        Data[path] = flag.Value ? "true" : "false";
                    }
                    else if (value is StringValueSyntax s && bool.TryParse(s.Value, out var parsed))
                    {
                        Data[path] = parsed ? "true" : "false";
                    }
                    else
                    {
                        Fail("expected true or false");
                    }

                    break;

                case ConfigValueKind.WholeNumber:
                    if (value is IntegerValueSyntax integer && integer.Value >= 0)
                    {
                        Data[path] = integer.Value.ToString(CultureInfo.InvariantCulture);
                    }
                    else if (value is StringValueSyntax s && long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    {
                        Data[path] = n.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        Fail("expected a whole number of 0 or more");
                    }

                    break;

                case ConfigValueKind.Size or ConfigValueKind.Megabytes:
                    var shift = key.Kind == ConfigValueKind.Megabytes ? 20 : 0;
                    if (value is IntegerValueSyntax bytes && bytes.Value >= 0 && bytes.Value <= long.MaxValue >> shift)
                    {
                        Data[path] = (bytes.Value << shift).ToString(CultureInfo.InvariantCulture);
                    }
                    else if (value is StringValueSyntax s)
                    {
                        if (ByteSize.TryParse(s.Value, out var size, out var error))
                        {
                            Data[path] = size.Bytes.ToString(CultureInfo.InvariantCulture);
                        }
                        else
                        {
                            Fail(error);
                        }
                    }
                    else
                    {
                        Fail("expected a size such as \"10GB\"");
                    }

                    break;

                case ConfigValueKind.Duration or ConfigValueKind.Days:
                    var unit = key.Kind == ConfigValueKind.Days ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(1);
                    if (value is IntegerValueSyntax count && count.Value >= 0 && count.Value <= TimeSpan.MaxValue.Ticks / unit.Ticks)
                    {
                        Data[path] = TimeSpan.FromTicks(count.Value * unit.Ticks).ToString("c", CultureInfo.InvariantCulture);
                    }
                    else if (value is StringValueSyntax s)
                    {
                        if (GoDuration.TryParse(s.Value, out var duration, out var error))
                        {
                            Data[path] = duration.ToString("c", CultureInfo.InvariantCulture);
                        }
                        else
                        {
                            Fail(error);
                        }
                    }
                    else
                    {
                        Fail("expected a duration such as \"30s\" or \"1h30m\"");
                    }

                    break;

                case ConfigValueKind.TextList:
                    var items = value switch
                    {
                        ArraySyntax array when array.Items.All(i => i.Value is StringValueSyntax) =>
                            array.Items.Select(i => ((StringValueSyntax)i.Value!).Value ?? string.Empty).ToList(),
                        StringValueSyntax single => single.Value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                        _ => null,
                    };
                    if (items is null)
                    {
                        Fail("expected a list of strings such as [\".jpg\", \".png\"]");
                        break;
                    }

                    for (var i = 0; i < items.Count; i++)
                    {
                        Data[$"{path}:{i}"] = items[i];
                    }

                    break;
            }
        }
    }
}
