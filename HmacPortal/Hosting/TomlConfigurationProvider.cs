using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Configuration;

namespace HmacPortal.Hosting;

/// <summary>
/// Serves <c>config.toml</c> as configuration data. Unlike the stock file providers, a change that
/// does not parse or breaks a rule is rejected as a whole and the last good data stays in force;
/// <see cref="Reloaded"/> reports every reload either way so the host can log it. Only the file
/// itself is watched, not the folder's subtree: storage often lives beside the config, and a
/// recursive watch would wake for every uploaded file and spend an inotify watch per folder.
/// </summary>
internal sealed class TomlConfigurationProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(200);

    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private int _queued;

    public TomlConfigurationProvider(string path, bool reloadOnChange)
    {
        _path = path;
        if (reloadOnChange)
        {
            _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, System.IO.Path.GetFileName(path))
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => QueueReload();
            _watcher.Created += (_, _) => QueueReload();
            _watcher.Renamed += (_, _) => QueueReload();
            _watcher.Error += (_, _) => QueueReload();
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>Raised after each reload attempt, applied or rejected.</summary>
    public event Action<ConfigReloadResult>? Reloaded;

    /// <summary>The diagnostics of the first load (warnings for Go-era keys, or the errors that stop start-up).</summary>
    public ConfigReadResult? InitialRead { get; private set; }

    public string FilePath => _path;

    /// <summary>The reload started by the last file change; it never faults (failures are reported through <see cref="Reloaded"/>).</summary>
    public Task PendingReload { get; private set; } = Task.CompletedTask;

    public override void Load()
    {
        var read = TomlConfigReader.ReadFile(_path);
        InitialRead = read;
        Data = new Dictionary<string, string?>(read.Data, StringComparer.OrdinalIgnoreCase);
    }

    // An editor's save raises several events; those that arrive before the file is read again
    // share one reload.
    private void QueueReload()
    {
        if (Interlocked.Exchange(ref _queued, 1) == 0)
        {
            PendingReload = ReloadAsync();
        }
    }

    /// <summary>Reads the file again; applies it only if it parses and passes every rule.</summary>
    public async Task<ConfigReloadResult> ReloadAsync()
    {
        try
        {
            await _reloadGate.WaitAsync(_disposed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new ConfigReloadResult(false, []);
        }

        try
        {
            // Editors and copy tools write in several steps; let the file settle before reading it.
            await Task.Delay(SettleDelay, _disposed.Token).ConfigureAwait(false);
            Volatile.Write(ref _queued, 0);
            var result = TryRead(out var data);
            if (result.Applied)
            {
                Data = data!;
                OnReload();
            }

            Reloaded?.Invoke(result);
            return result;
        }
        catch (OperationCanceledException)
        {
            return new ConfigReloadResult(false, []);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    private ConfigReloadResult TryRead(out Dictionary<string, string?>? data)
    {
        data = null;
        string text;
        try
        {
            text = File.ReadAllText(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ConfigReloadResult(false, [new ConfigDiagnostic(ConfigSeverity.Error, $"cannot read the file: {ex.Message}", _path, 0, 0)]);
        }

        var checkedText = ConfigValidation.Check(text, _path);
        if (!checkedText.IsUsable)
        {
            return new ConfigReloadResult(false, checkedText.Diagnostics);
        }

        data = new Dictionary<string, string?>(checkedText.Read.Data, StringComparer.OrdinalIgnoreCase);
        return new ConfigReloadResult(true, checkedText.Diagnostics);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
