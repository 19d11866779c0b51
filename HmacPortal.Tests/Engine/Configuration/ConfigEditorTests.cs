using HmacPortal.Engine.Configuration;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class ConfigEditorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _path;
    private readonly ConfigEditor _editor;
    private readonly string _original;

    public ConfigEditorTests()
    {
        _original = TestFiles.MinimalConfig(_dir.Path, "[uploads]\nallowed_extensions = [\".jpg\"]\n");
        _path = _dir.Write("config.toml", _original);
        _editor = new ConfigEditor(_path, NullLogger<ConfigEditor>.Instance);
    }

    [Fact]
    public void Save_AUsableText_WritesIt_KeepsThePrevious_AndSaysWhatChanged()
    {
        var loaded = _editor.Load();
        var edited = loaded.Text.Replace("[\".jpg\"]", "[\".jpg\", \".png\"]", StringComparison.Ordinal) + "\n[portal]\nuser_quota = \"2GB\"\n";

        var result = _editor.Save(edited, loaded.Version, "test");

        Assert.Equal(ConfigSaveStatus.Saved, result.Status);
        Assert.Equal(edited, File.ReadAllText(_path));
        Assert.Equal(_original, File.ReadAllText(_editor.BackupPath));
        Assert.Equal(["[uploads] allowed_extensions", "[portal] user_quota"], result.Changes.Select(c => c.Key));
        Assert.Equal((".jpg", ".jpg, .png"), (result.Changes[0].Before, result.Changes[0].After));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_editor.BackupPath));
    }

    [Fact]
    public void Save_ATextWithErrors_WritesNothing_AndSaysWhereTheErrorIs()
    {
        var loaded = _editor.Load();
        var broken = loaded.Text + "\n[server]\nmax_upload_size = \"lots\"\n";

        var result = _editor.Save(broken + "[portal]\nuser_quota = 12x\n", loaded.Version, "test");

        Assert.Equal(ConfigSaveStatus.Invalid, result.Status);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Line > 0 && d.Column > 0);
        Assert.Equal(_original, File.ReadAllText(_path));
        Assert.False(_editor.HasBackup);
    }

    [Fact]
    public void Save_ATextBreakingARule_IsRefusedWithTheLineOfTheKey()
    {
        var loaded = _editor.Load();
        var weak = loaded.Text.Replace("secret = \"test-secret-0123456789abcdef\"", "secret = \"changeme\"", StringComparison.Ordinal);

        var result = _editor.Save(weak, loaded.Version, "test");

        Assert.Equal(ConfigSaveStatus.Invalid, result.Status);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains("[security] secret", error.Message, StringComparison.Ordinal);
        Assert.Equal(weak.Split('\n').ToList().FindIndex(l => l.Contains("changeme", StringComparison.Ordinal)) + 1, error.Line);
    }

    [Fact]
    public void Save_AfterTheFileChangedOnDisk_IsRefused()
    {
        var loaded = _editor.Load();
        File.AppendAllText(_path, "\n# edited by hand\n");

        var result = _editor.Save(loaded.Text + "\n[portal]\nenabled = false\n", loaded.Version, "test");

        Assert.Equal(ConfigSaveStatus.Conflict, result.Status);
        Assert.EndsWith("# edited by hand\n", File.ReadAllText(_path), StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_PutsThePreviousFileBack_AndCanBeRolledBackItself()
    {
        var loaded = _editor.Load();
        var edited = loaded.Text + "\n[portal]\nenabled = false\n";
        Assert.Equal(ConfigSaveStatus.Saved, _editor.Save(edited, loaded.Version, "test").Status);

        var back = _editor.Rollback(_editor.Load().Version, "test");

        Assert.Equal(ConfigSaveStatus.Saved, back.Status);
        Assert.Equal(_original, File.ReadAllText(_path));
        Assert.Equal(edited, File.ReadAllText(_editor.BackupPath));
        Assert.Equal("[portal] enabled", Assert.Single(back.Changes).Key);
    }

    [Fact]
    public void Rollback_WithoutAPreviousFile_SaysSo()
    {
        Assert.Equal(ConfigSaveStatus.NoBackup, _editor.Rollback(_editor.Load().Version, "test").Status);
    }

    [Fact]
    public void Diff_MasksSecrets_AndMarksRestartKeys()
    {
        var changes = ConfigEditor.Diff(_original, _original
            .Replace("test-secret-0123456789abcdef", "another-secret-0123456789abcdef", StringComparison.Ordinal)
            .Replace("listen_address = \"0\"", "listen_address = \"9000\"", StringComparison.Ordinal));

        var secret = Assert.Single(changes, c => c.Key == "[security] secret");
        Assert.Equal(("(set)", "(set)"), (secret.Before, secret.After));
        Assert.DoesNotContain(changes, c => (c.Before + c.After).Contains("secret-0123", StringComparison.Ordinal));
        Assert.True(Assert.Single(changes, c => c.Key == "[server] listen_address").RestartRequired);
    }

    [Fact]
    public void Diff_WritingOutADefault_IsNoChange_AndSizesReadAsPeopleWriteThem()
    {
        var explicitDefaults = _original + "\n[timeouts]\nshutdown = \"30s\"\n\n[logging]\nmax_age = 30\nmax_size = \"100MB\"\n";
        Assert.Empty(ConfigEditor.Diff(_original, explicitDefaults));

        var change = Assert.Single(ConfigEditor.Diff(_original, _original.Replace("listen_address", "max_upload_size = \"2GB\"\nlisten_address", StringComparison.Ordinal)));
        Assert.Equal(("[server] max_upload_size", "10 GiB", "2 GiB"), (change.Key, change.Before, change.After));
    }

    [Fact]
    public void SetValue_ReplacesAddsOrAppends_KeepingEverythingElse()
    {
        const string text = "# my server\n[server]\n# the biggest file\nmax_upload_size = \"1MB\" # small on purpose\nlisten_address = \"0\"\n\n[uploads]\nallowed_extensions = [\n  \".jpg\",\n  \".png\",\n]\n";

        var replaced = ConfigEditor.SetValue(text, "server", "max_upload_size", "2GB")!;
        var added = ConfigEditor.SetValue(replaced, "server", "min_free_bytes", "5GB")!;
        var list = ConfigEditor.SetValue(added, "uploads", "allowed_extensions", ".gif, .webp")!;
        var appended = ConfigEditor.SetValue(list, "portal", "anonymous_upload", "true")!;

        var read = TomlConfigReader.Read(appended, "edited");
        Assert.Empty(read.Errors);
        Assert.Equal((2L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), read.Data["Server:MaxUploadSize"]);
        Assert.Equal((5L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), read.Data["Server:MinFreeBytes"]);
        Assert.Equal((".gif", ".webp"), (read.Data["Uploads:AllowedExtensions:0"], read.Data["Uploads:AllowedExtensions:1"]));
        Assert.False(read.Data.ContainsKey("Uploads:AllowedExtensions:2"));
        Assert.Equal("true", read.Data["Portal:AnonymousUpload"]);
        Assert.StartsWith("# my server\n[server]\n# the biggest file\n", appended, StringComparison.Ordinal);
        Assert.Contains("listen_address = \"0\"", appended, StringComparison.Ordinal);
        Assert.Null(ConfigEditor.SetValue("[server\n", "server", "max_upload_size", "1GB"));
        Assert.Null(ConfigEditor.SetValue(text, "server", "no_such_key", "1"));
    }

    public void Dispose() => _dir.Dispose();
}
