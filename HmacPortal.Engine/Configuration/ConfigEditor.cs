using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// Edits <c>config.toml</c> for the admin console: a text is checked by the same validation as
/// start-up before anything is written; a save is refused when the file changed since the editor
/// loaded it; the previous file is kept as <c>config.toml.previous</c> and both writes are atomic
/// (temp file, flush, rename), so a crash leaves either the old or the new file, never half of one.
/// The running server picks the saved file up through hot reload.
/// </summary>
public sealed class ConfigEditor(string path, ILogger<ConfigEditor> logger, Audit.AuditTrail? audit = null)
{
    private readonly Lock _gate = new();

    public string FilePath => path;

    public string BackupPath => path + ".previous";

    public bool HasBackup => File.Exists(BackupPath);

    public ConfigDocument Load()
    {
        var text = File.ReadAllText(path);
        return new ConfigDocument(text, VersionOf(text));
    }

    public ConfigCheckResult Check(string text) => ConfigValidation.Check(text, Path.GetFileName(path));

    /// <summary>The keys whose value differs between two texts, secrets masked, with whether each needs a restart.</summary>
    public static IReadOnlyList<ConfigChange> Diff(string before, string after)
    {
        var old = TomlConfigReader.Read(before, "before").Data;
        var now = TomlConfigReader.Read(after, "after").Data;
        var changes = new List<ConfigChange>();
        foreach (var key in ConfigSchema.Keys)
        {
            var a = Value(old, key);
            var b = Value(now, key);
            if (a != b)
            {
                var secret = key.Kind == ConfigValueKind.Secret;
                changes.Add(new ConfigChange(key.DisplayName, secret ? Mask(a) : a, secret ? Mask(b) : b, key.RestartRequired));
            }
        }

        foreach (var named in ConfigSchema.NamedTables.Values)
        {
            var prefix = named.ConfigurationPath + ":";
            var names = old.Keys.Concat(now.Keys).Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(k => k[prefix.Length..]).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var a = old.GetValueOrDefault(prefix + name);
                var b = now.GetValueOrDefault(prefix + name);
                if (a != b)
                {
                    changes.Add(new ConfigChange($"[{named.Table}] {name}", Mask(a), Mask(b), false));
                }
            }
        }

        return changes;
    }

    /// <summary>
    /// Writes <paramref name="value"/> (as TOML would write it for that key's kind) for a key into
    /// <paramref name="text"/>, replacing the line that sets it, or adding it to its table (or the
    /// table to the end). Everything else, comments included, stays as it was. Null when the text
    /// does not parse or the key is unknown.
    /// </summary>
    public static string? SetValue(string text, string table, string name, string value)
    {
        if (ConfigSchema.Find(table, name) is not { } key)
        {
            return null;
        }

        var document = Tomlyn.Parsing.SyntaxParser.Parse(text, "edit", true);
        if (document.HasErrors)
        {
            return null;
        }

        var line = $"{name} = {ConfigTemplate.Literal(key.Kind, value)}";
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        foreach (var section in document.Tables.Where(t => TomlConfigReader.KeyText(t.Name) == table))
        {
            foreach (var item in section.Items)
            {
                if (TomlConfigReader.KeyParts(item.Key) is [var keyName] && keyName == name)
                {
                    var first = item.Span.Start.Line;
                    var last = item.Value?.Span.End.Line ?? first;
                    lines.RemoveRange(first, last - first + 1);
                    lines.Insert(first, line);
                    return string.Join('\n', lines);
                }
            }

            // After the table's last key, so the new key does not land under another key's comment.
            var lastItem = section.Items.LastOrDefault();
            var after = lastItem is null ? section.Span.Start.Line : lastItem.Value?.Span.End.Line ?? lastItem.Span.Start.Line;
            lines.Insert(after + 1, line);
            return string.Join('\n', lines);
        }

        return text.TrimEnd('\n') + $"\n\n[{table}]\n{line}\n";
    }

    /// <summary>Saves <paramref name="text"/> if it is usable and the file is still the one loaded as <paramref name="loadedVersion"/>.</summary>
    public ConfigSaveResult Save(string text, string loadedVersion, string by)
    {
        var check = Check(text);
        if (!check.IsUsable)
        {
            return new ConfigSaveResult(ConfigSaveStatus.Invalid, check.Diagnostics, []);
        }

        lock (_gate)
        {
            var current = File.ReadAllText(path);
            if (VersionOf(current) != loadedVersion)
            {
                return new ConfigSaveResult(ConfigSaveStatus.Conflict, [], []);
            }

            var changes = Diff(current, text);
            AtomicFile.WriteAllText(BackupPath, current, AtomicFile.OwnerOnly);
            AtomicFile.WriteAllText(path, text, AtomicFile.OwnerOnly);
            var keys = changes.Count == 0 ? "no setting" : string.Join(", ", changes.Select(c => c.Key));
            ConfigLog.Saved(logger, by, keys);
            audit?.Record("config.saved", by, null, Path.GetFileName(path), $"changed: {keys}");
            return new ConfigSaveResult(ConfigSaveStatus.Saved, check.Diagnostics, changes);
        }
    }

    /// <summary>Puts the previous file back (if it is still usable); the file it replaces becomes the previous one.</summary>
    public ConfigSaveResult Rollback(string loadedVersion, string by)
    {
        if (!HasBackup)
        {
            return new ConfigSaveResult(ConfigSaveStatus.NoBackup, [], []);
        }

        return Save(File.ReadAllText(BackupPath), loadedVersion, by + " (rollback)");
    }

    private static string? Value(IReadOnlyDictionary<string, string?> data, ConfigKey key)
    {
        if (key.Kind == ConfigValueKind.TextList)
        {
            var items = data.Where(p => p.Key.StartsWith(key.ConfigurationPath + ":", StringComparison.OrdinalIgnoreCase)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value);
            return string.Join(", ", items);
        }

        var value = data.GetValueOrDefault(key.ConfigurationPath);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (key.Kind)
        {
            // Sizes are held as bytes and durations as TimeSpans; defaults are written as in TOML. Both are shown one way.
            case ConfigValueKind.Size or ConfigValueKind.Megabytes:
                var bytes = value is not null && long.TryParse(value, inv, out var b) ? b
                    : ByteSize.TryParse(key.Default, out var size, out _) ? size.Bytes : 0;
                return new ByteSize(bytes).ToDisplayString();
            case ConfigValueKind.Duration or ConfigValueKind.Days:
                var span = value is not null && TimeSpan.TryParse(value, inv, out var t) ? t
                    : key.Default.All(char.IsAsciiDigit) ? TimeSpan.FromDays(int.Parse(key.Default, inv))
                    : GoDuration.TryParse(key.Default, out var d, out _) ? d : TimeSpan.Zero;
                return span.ToString("c", inv);
            default:
                return value ?? key.Default;
        }
    }

    private static string? Mask(string? value) => string.IsNullOrEmpty(value) ? value : "(set)";

    private static string VersionOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>A config file as loaded into the editor; <see cref="Version"/> detects changes made meanwhile.</summary>
public sealed record ConfigDocument(string Text, string Version);

public sealed record ConfigChange(string Key, string? Before, string? After, bool RestartRequired);

public enum ConfigSaveStatus
{
    Saved,
    /// <summary>The text has errors; nothing was written.</summary>
    Invalid,
    /// <summary>The file changed since it was loaded; nothing was written.</summary>
    Conflict,
    NoBackup,
}

public sealed record ConfigSaveResult(ConfigSaveStatus Status, IReadOnlyList<ConfigDiagnostic> Diagnostics, IReadOnlyList<ConfigChange> Changes);
