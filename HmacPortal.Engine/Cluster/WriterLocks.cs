using StackExchange.Redis;

namespace HmacPortal.Engine.Cluster;

/// <summary>
/// The cluster half of the one-writer rule of a resumable upload: a Redis key per upload names the
/// node writing it, kept alive while it writes and given up when it stops. A node that wants to
/// write an upload another node holds asks that node, over pub/sub, to stop its writer (the
/// same takeover a single node does for a client that reconnects), then takes the key. A node
/// that died holding a key loses it within <see cref="Lifetime"/>.
/// </summary>
public sealed class WriterLocks : IDisposable
{
    /// <summary>How long a key lives unless its holder renews it (every third of this).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    private const string RenewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

    private readonly RedisConnection _redis;
    private readonly RedisChannel _takeover;
    private Action<string>? _stopLocalWriter;

    public WriterLocks(RedisConnection redis)
    {
        _redis = redis;
        _takeover = redis.Channel("writers:takeover");
        if (redis.Enabled)
        {
            // Registered at once and sent when Redis can take it (also after a reconnect): a node
            // started while Redis is away must not fail for it.
            redis.Multiplexer.GetSubscriber().Subscribe(_takeover, (_, message) =>
            {
                var text = message.ToString();
                var split = text.IndexOf(' ', StringComparison.Ordinal);
                if (split > 0 && text[..split] != redis.NodeId)
                {
                    _stopLocalWriter?.Invoke(text[(split + 1)..]);
                }
            }, CommandFlags.FireAndForget);
        }
    }

    /// <summary>What to do when another node takes over an upload this node writes: cancel the local writer of that key.</summary>
    public void OnTakeover(Action<string> stopLocalWriter) => _stopLocalWriter = stopLocalWriter;

    /// <summary>
    /// Takes the cluster key of <paramref name="key"/>, asking its holder to let go if needed; null
    /// when Redis is not shared now (the node's own lock is then all there is).
    /// </summary>
    public async Task<IDisposable?> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var redisKey = _redis.Key("writer:" + key);
        var token = $"{_redis.NodeId}:{Guid.NewGuid():N}";
        var taken = await RedisMutex.AcquireAsync(
            _redis,
            redisKey,
            token,
            Lifetime,
            timeout,
            TimeSpan.FromMilliseconds(50),
            () => _redis.Multiplexer.GetSubscriber().PublishAsync(_takeover, $"{_redis.NodeId} {key}"),
            cancellationToken).ConfigureAwait(false);
        switch (taken)
        {
            case null:
                return null;
            case false:
                throw new TimeoutException($"the writer of upload {key[..Math.Min(8, key.Length)]} on another node did not let go within {timeout.TotalSeconds:0} s");
        }

        return new Held(_redis, redisKey, token);
    }

    public void Dispose()
    {
        if (_redis.Enabled)
        {
            _redis.Multiplexer.GetSubscriber().Unsubscribe(_takeover, null, CommandFlags.FireAndForget);
        }
    }

    private sealed class Held : IDisposable
    {
        private readonly RedisConnection _redis;
        private readonly RedisKey _key;
        private readonly string _token;
        private readonly Timer _renew;

        public Held(RedisConnection redis, RedisKey key, string token)
        {
            (_redis, _key, _token) = (redis, key, token);
            var every = Lifetime / 3;
            _renew = new Timer(_ => Call(RenewScript, (long)Lifetime.TotalMilliseconds), null, every, every);
        }

        public void Dispose()
        {
            _renew.Dispose();
            Call(RedisMutex.ReleaseScript, 0);
        }

        private void Call(string script, long milliseconds)
        {
            if (!_redis.Shared)
            {
                return;
            }

            try
            {
                _redis.Database.ScriptEvaluate(script, [_key], [_token, milliseconds], CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException)
            {
                _redis.Failed(ex);
            }
        }
    }
}
