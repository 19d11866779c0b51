using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HmacPortal.Engine.Cluster;

/// <summary>
/// The node's connection to Redis, when <c>[redis] redisenabled</c>. It connects in the background
/// and reconnects by itself; a start with Redis down is not an error. <see cref="Shared"/> is the
/// breaker every shared structure asks first: false while Redis is unreachable and for
/// <see cref="Cooldown"/> after any failed call, when each node keeps its limits, bans, locks and
/// reservations to itself; true again, without a restart, once Redis answers.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    /// <summary>How long the node stays on its own after a failed Redis call before trying Redis again.</summary>
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2);

    private readonly ILogger<RedisConnection> _logger;
    private readonly ConnectionMultiplexer? _multiplexer;
    private long _localUntil;
    private int _reportedDown;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        var o = options.Value;
        Prefix = o.KeyPrefix;
        DatabaseIndex = o.RedisDbIndex;
        NodeId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        if (!o.RedisEnabled)
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(o.RedisAddr);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 2000;
        configuration.SyncTimeout = 2000;
        configuration.AsyncTimeout = 2000;
        configuration.ReconnectRetryPolicy = new LinearRetry(1000);
        configuration.ClientName = "hmacportal";
        configuration.DefaultDatabase = o.RedisDbIndex;
        if (o.RedisPassword.Length > 0)
        {
            configuration.Password = o.RedisPassword;
        }

        _multiplexer = ConnectionMultiplexer.Connect(configuration);
        _multiplexer.ConnectionFailed += (_, e) => ReportDown(e.Exception?.Message ?? e.FailureType.ToString());
        _multiplexer.ConnectionRestored += (_, _) =>
        {
            Interlocked.Exchange(ref _reportedDown, 0);
            ClusterLog.RedisBack(_logger);
        };
    }

    public bool Enabled => _multiplexer is not null;

    /// <summary>This process, as other nodes see it (lock owners, live views).</summary>
    public string NodeId { get; }

    public string Prefix { get; }

    public int DatabaseIndex { get; }

    /// <summary>The multiplexer (Hangfire's Redis storage shares it); only when <see cref="Enabled"/>.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("Redis is not enabled ([redis] redisenabled)");

    /// <summary>True when shared state should be read and written in Redis now.</summary>
    public bool Shared => _multiplexer is { IsConnected: true } && Environment.TickCount64 >= Interlocked.Read(ref _localUntil);

    /// <summary>True when Redis is configured but the node is on its own: what health and the console call degraded.</summary>
    public bool Degraded => Enabled && !Shared;

    public IDatabase Database => Multiplexer.GetDatabase(DatabaseIndex);

    public RedisKey Key(string name) => Prefix + name;

    public RedisChannel Channel(string name) => RedisChannel.Literal(Prefix + name);

    /// <summary>Runs <paramref name="shared"/> against Redis while it is <see cref="Shared"/>, else (or when it fails) <paramref name="local"/>.</summary>
    public T SharedOr<T>(Func<IDatabase, T> shared, Func<T> local)
    {
        if (!Shared)
        {
            return local();
        }

        try
        {
            return shared(Database);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or RedisTimeoutException)
        {
            Failed(ex);
            return local();
        }
    }

    /// <summary>A Redis call failed: the node goes on alone for <see cref="Cooldown"/>.</summary>
    public void Failed(Exception ex)
    {
        Interlocked.Exchange(ref _localUntil, Environment.TickCount64 + (long)Cooldown.TotalMilliseconds);
        ReportDown(ex.Message);
    }

    private void ReportDown(string reason)
    {
        if (Interlocked.Exchange(ref _reportedDown, 1) == 0)
        {
            ClusterLog.RedisDown(_logger, reason);
        }
    }

    public void Dispose() => _multiplexer?.Dispose();
}
