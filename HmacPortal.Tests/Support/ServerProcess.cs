using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HmacPortal.Tests.Support;

/// <summary>
/// HmacPortal as a real process on a real socket, as an operator runs it: for signals, crashes,
/// restarts and anything else an in-memory host cannot show. The build output of the web project
/// is copied next to the test assembly, so this runs the same code the other tests use.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private ServerProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public int Id => _process.Id;

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server on <paramref name="configPath"/> and waits until it listens (or exits).</summary>
    public static async Task<ServerProcess> StartAsync(string configPath, params string[] extraArgs)
    {
        var server = Launch(["--config", configPath, .. extraArgs]);
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(server._listening.Task, exited).WaitAsync(StartTimeout);
        if (first == exited)
        {
            throw new InvalidOperationException($"the server exited with {server._process.ExitCode} before listening:\n{server.Output}");
        }

        server.BaseAddress = await server._listening.Task;
        return server;
    }

    /// <summary>Starts the process without waiting for it to listen (for runs expected to fail).</summary>
    public static ServerProcess Launch(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HmacPortal.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_waiters)
        {
            _output.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/"));
        }
    }

    /// <summary>Completes when the server prints a line containing <paramref name="text"/> (or already has).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((text, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Sends SIGTERM, as systemd and Ctrl+C do.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void Crash() => _process.Kill(entireProcessTree: true);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"HmacPortal listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
