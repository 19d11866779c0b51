using System.Diagnostics;
using Npgsql;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A real PostgreSQL (Debian's postgresql package, installed by test.sh) in a temp directory on a
/// free loopback port, started once for the tests that share it and stopped at the end. As root it
/// runs as the postgres user, since PostgreSQL refuses to run as root. Each test takes a database of
/// its own.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string User = "hmacportal";
    private readonly TempDirectory _dir = new();
    private readonly string _bin;

    public PostgresServer()
    {
        var installed = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Order().LastOrDefault() : null;
        Assert.True(installed is not null, "PostgreSQL is not installed: run the README's test command (it installs postgresql)");
        _bin = Path.Combine(installed!, "bin");
        Port = LoopbackPorts.Free();
        Directory.CreateDirectory(DataDirectory);
        if (Environment.UserName == "root")
        {
            Run("chown", "-R", "postgres:postgres", _dir.Path);
            Run("chmod", "755", _dir.Path);
        }

        RunAsPostgres(Path.Combine(_bin, "initdb"), "-D", DataDirectory, "-U", User, "-A", "trust", "-E", "UTF8", "--no-locale");
        StartServer();
    }

    public int Port { get; }

    private string DataDirectory => _dir.Combine("data");

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Database = database, Timeout = 10 }.ToString();

    /// <summary>A new, empty database; its connection string.</summary>
    public string NewDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        // Not pooled: a pooled connection would not survive the restarts some tests make.
        using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast: connections are closed); <see cref="Start"/> brings it back on the same port with the same data.</summary>
    public void Stop() => RunAsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "stop");

    public void Start()
    {
        NpgsqlConnection.ClearAllPools();
        StartServer();
    }

    private void StartServer() => RunAsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l", _dir.Combine("server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_dir.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            RunAsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            _dir.Dispose();
        }
    }

    private static void RunAsPostgres(string program, params string[] args)
    {
        if (Environment.UserName == "root")
        {
            Run("runuser", ["-u", "postgres", "--", program, .. args]);
        }
        else
        {
            Run(program, args);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), $"{program} did not finish within 120 s");
        process.WaitForExit();
        lock (output)
        {
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {output}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
