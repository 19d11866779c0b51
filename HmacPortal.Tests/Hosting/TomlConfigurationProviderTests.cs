using HmacPortal.Hosting;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Hosting;

public sealed class TomlConfigurationProviderTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Reload_BrokenEdit_KeepsLastGoodConfigAndReportsLineAndColumn()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"debug\"\n"));
        using var provider = new TomlConfigurationProvider(path, reloadOnChange: true);
        provider.Load();
        Assert.True(provider.TryGet("Logging:Level", out var before));
        Assert.Equal("debug", before);

        var reloaded = NextReload(provider);
        await File.WriteAllTextAsync(path, TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"error\"\nlevle = \"x\"\n"));
        var result = await reloaded.WaitAsync(Wait);

        Assert.False(result.Applied);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Contains("unknown key [logging] levle", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
        Assert.True(provider.TryGet("Logging:Level", out var after));
        Assert.Equal("debug", after);
    }

    [Fact]
    public async Task Reload_EditThatBreaksARule_IsRejected()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        using var provider = new TomlConfigurationProvider(path, reloadOnChange: true);
        provider.Load();

        var reloaded = NextReload(provider);
        var broken = TestFiles.MinimalConfig(_dir.Path).Replace("test-secret-0123456789abcdef", "changeme", StringComparison.Ordinal);
        var secretLine = Array.FindIndex(broken.Split('\n'), l => l.StartsWith("secret", StringComparison.Ordinal)) + 1;
        await File.WriteAllTextAsync(path, broken);
        var result = await reloaded.WaitAsync(Wait);

        Assert.False(result.Applied);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Message.StartsWith("[security] secret", StringComparison.Ordinal) && d.Line == secretLine);
        Assert.True(provider.TryGet("Security:Secret", out var secret));
        Assert.Equal("test-secret-0123456789abcdef", secret);
    }

    [Fact]
    public async Task Reload_GoodEdit_AppliesAndSignalsChange()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        using var provider = new TomlConfigurationProvider(path, reloadOnChange: true);
        provider.Load();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = provider.GetReloadToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);

        var reloaded = NextReload(provider);
        await File.WriteAllTextAsync(path, TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"warn\"\n"));
        var result = await reloaded.WaitAsync(Wait);

        Assert.True(result.Applied, string.Join("; ", result.Diagnostics));
        await changed.Task.WaitAsync(Wait);
        Assert.True(provider.TryGet("Logging:Level", out var level));
        Assert.Equal("warn", level);
    }

    [Fact]
    public async Task Reload_FileReplacedByRename_Applies()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        using var provider = new TomlConfigurationProvider(path, reloadOnChange: true);
        provider.Load();

        var reloaded = NextReload(provider);
        var staged = _dir.Write("config.toml.new", TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"error\"\n"));
        File.Move(staged, path, overwrite: true);
        var result = await reloaded.WaitAsync(Wait);

        Assert.True(result.Applied, string.Join("; ", result.Diagnostics));
        Assert.True(provider.TryGet("Logging:Level", out var level));
        Assert.Equal("error", level);
    }

    [Fact]
    public async Task Reload_FilesWrittenInAFolderBesideTheConfig_DoNotReload()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        using var provider = new TomlConfigurationProvider(path, reloadOnChange: true);
        provider.Load();
        var reloads = 0;
        provider.Reloaded += _ => Interlocked.Increment(ref reloads);

        // Storage kept beside the config: only an edit of the config file itself reloads it.
        var storage = Directory.CreateDirectory(Path.Combine(_dir.Path, "files", "sub"));
        for (var i = 0; i < 50; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(storage.FullName, $"{i}.bin"), "x");
        }

        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "other.toml"), "x = 1");

        // Past the settle delay, so a reload the files had started could not share the edit's.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var reloaded = NextReload(provider);
        await File.WriteAllTextAsync(path, TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"warn\"\n"));
        var result = await reloaded.WaitAsync(Wait);

        Assert.True(result.Applied, string.Join("; ", result.Diagnostics));
        Assert.Equal(1, Volatile.Read(ref reloads));
    }

    private static Task<ConfigReloadResult> NextReload(TomlConfigurationProvider provider)
    {
        var next = new TaskCompletionSource<ConfigReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(ConfigReloadResult result)
        {
            provider.Reloaded -= Handler;
            next.TrySetResult(result);
        }

        provider.Reloaded += Handler;
        return next.Task;
    }

    public void Dispose() => _dir.Dispose();
}
