using System.Threading.RateLimiting;
using HmacPortal.Engine.Protection;
using StackExchange.Redis;

namespace HmacPortal.Engine.Cluster;

/// <summary>
/// A token bucket kept in Redis, so a limit holds across every node: one Lua script refills and
/// takes atomically. While Redis is not <see cref="RedisConnection.Shared"/>, the node's own
/// bucket (<see cref="ClockTokenBucket"/>) decides. Nodes' clocks must agree (NTP), as the refill
/// is computed from the caller's time.
/// </summary>
public sealed class SharedTokenBucket(string key, Func<(int Burst, double PerSecond)> settings, TimeProvider clock, RedisConnection redis) : RateLimiter
{
    /// <summary>KEYS[1] the bucket; ARGV burst, tokens per second, now (ms), tokens wanted. Answers 0, or the ms to wait.</summary>
    private const string Script = """
        local state = redis.call('HMGET', KEYS[1], 't', 'ts')
        local burst = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local wanted = tonumber(ARGV[4])
        local tokens = tonumber(state[1])
        local last = tonumber(state[2])
        if tokens == nil or last == nil then
          tokens = burst
          last = now
        end
        if now > last then
          tokens = math.min(burst, tokens + (now - last) / 1000 * rate)
          last = now
        end
        local wait = 0
        if tokens >= wanted then
          tokens = tokens - wanted
        else
          wait = math.ceil((wanted - tokens) / rate * 1000)
        end
        redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(last))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
        return wait
        """;

    private readonly ClockTokenBucket _local = new(settings, clock);
    private readonly RedisKey _key = redis.Key(key);

    public override TimeSpan? IdleDuration => _local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => redis.SharedOr(
        database =>
        {
            var (burst, perSecond) = settings();
            var wait = (long)database.ScriptEvaluate(Script, [_key], [burst, perSecond, clock.GetUtcNow().ToUnixTimeMilliseconds(), permitCount]);
            return wait <= 0 ? ClockTokenBucket.Granted : ClockTokenBucket.Refused(TimeSpan.FromSeconds(Math.Ceiling(wait / 1000.0)));
        },
        () => _local.AttemptAcquire(permitCount));

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    protected override void Dispose(bool disposing)
    {
        _local.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Makes the bucket of one limited key: in Redis when the node has it, else the node's own.</summary>
public sealed class TokenBuckets(TimeProvider clock, RedisConnection? redis = null)
{
    public RateLimiter Create(string key, Func<(int Burst, double PerSecond)> settings) =>
        redis is { Enabled: true } ? new SharedTokenBucket(key, settings, clock, redis) : new ClockTokenBucket(settings, clock);
}
