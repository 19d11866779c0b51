using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A real redis-server (Debian's redis-server package, installed by test.sh) on a free loopback
/// port, without persistence, started once for the tests that share it. <see cref="Stop"/> kills
/// it (the process this fixture started, by its PID) and <see cref="Start"/> brings it back on the
/// same port, empty, as after a crash.
/// </summary>
public sealed class RedisServer : IDisposable
{
    public const string Program = "/usr/bin/redis-server";
    private readonly TempDirectory _dir = new();
    private Process? _process;

    public RedisServer()
    {
        Assert.True(File.Exists(Program), "redis-server is not installed: run the README's test command (it installs redis-server)");
        Port = LoopbackPorts.Free();
        Start();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>A <c>[redis]</c> table for this server, with a key prefix of the caller's own so tests do not meet.</summary>
    public string Toml(string prefix) => $"[redis]\nredisenabled = true\nredisaddr = \"{Address}\"\nkey_prefix = \"{prefix}:\"\n";

    /// <summary>A node's connection to this server under <paramref name="keyPrefix"/>, once it shares (the caller disposes it).</summary>
    public async Task<HmacPortal.Engine.Cluster.RedisConnection> ConnectAsync(string keyPrefix)
    {
        var connection = new HmacPortal.Engine.Cluster.RedisConnection(
            Microsoft.Extensions.Options.Options.Create(new HmacPortal.Engine.Configuration.RedisOptions { RedisEnabled = true, RedisAddr = Address, KeyPrefix = keyPrefix }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<HmacPortal.Engine.Cluster.RedisConnection>.Instance);
        var waited = Stopwatch.StartNew();
        while (!connection.Shared && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.True(connection.Shared, $"no connection to redis-server at {Address} within 10 s");
        return connection;
    }

    public void Start()
    {
        var process = _process = ChildProcess.Start(
            Program, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir.Path);
        Assert.True(SpinWait.SpinUntil(() => process.HasExited || Answers(), TimeSpan.FromSeconds(30)), "redis-server did not answer within 30 s");
        Assert.False(process.HasExited, "redis-server exited at start");
    }

    /// <summary>Kills the server, as a crash or a network cut would end it.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}
