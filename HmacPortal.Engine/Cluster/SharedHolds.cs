using StackExchange.Redis;

namespace HmacPortal.Engine.Cluster;

/// <summary>
/// Quota reservations of uploads in progress, for every node to count: a sorted set per owner
/// (and one for all) whose members are the holds and whose scores are when they lapse, so a
/// hold of a node that died goes by itself. Reservations are made under a per-owner lock, so two
/// uploads on two nodes that each fit alone cannot both start when together they do not. Every
/// call answers null (or nothing) while Redis is not shared; the ledger then counts alone.
/// </summary>
public sealed class SharedHolds(RedisConnection redis)
{
    /// <summary>How long a hold counts unless released first (an upload longer than this is not held back by it).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(6);

    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(10);

    /// <summary>KEYS[1] a set of holds; ARGV now (ms). Drops lapsed holds and answers the bytes of the others.</summary>
    private const string SumScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local total = 0
        for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          total = total + tonumber(string.match(member, ':(%d+)$'))
        end
        return total
        """;

    public bool Active => redis.Enabled;

    /// <summary>Takes the owner's reservation lock; null when Redis is not shared (the node's own gate is then all there is).</summary>
    public async Task<IDisposable?> LockAsync(string owner, CancellationToken cancellationToken)
    {
        var key = redis.Key("quota:lock:" + Normal(owner));
        var token = Guid.NewGuid().ToString("N");
        var taken = await RedisMutex.AcquireAsync(redis, key, token, LockLifetime, LockLifetime, TimeSpan.FromMilliseconds(10), null, cancellationToken).ConfigureAwait(false);
        return taken == true ? new Unlock(redis, key, token) : null;
    }

    /// <summary>Adds a hold; its id, or null when it could not be shared.</summary>
    public string? Add(string owner, long bytes, DateTimeOffset now) => redis.SharedOr<string?>(
        database =>
        {
            var member = $"{Normal(owner)}:{Guid.NewGuid():N}:{bytes}";
            var lapses = (now + Lifetime).ToUnixTimeMilliseconds();
            var batch = database.CreateBatch();
            _ = batch.SortedSetAddAsync(redis.Key("quota:held:" + Normal(owner)), member, lapses);
            _ = batch.SortedSetAddAsync(redis.Key("quota:held"), member, lapses);
            batch.Execute();
            return member;
        },
        () => null);

    public void Remove(string owner, string member) => redis.SharedOr(
        database =>
        {
            // The second removal is waited for: commands on one connection run in order, so once it
            // is answered both are done, and a node that reads the holds next sees the room given back.
            database.SortedSetRemove(redis.Key("quota:held:" + Normal(owner)), member, CommandFlags.FireAndForget);
            database.SortedSetRemove(redis.Key("quota:held"), member);
            return true;
        },
        () => false);

    /// <summary>The bytes every node holds for <paramref name="owner"/>; null when Redis is not shared.</summary>
    public long? Sum(string owner, DateTimeOffset now) => Total(redis.Key("quota:held:" + Normal(owner)), now);

    /// <summary>The bytes every node holds for everyone; null when Redis is not shared.</summary>
    public long? SumAll(DateTimeOffset now) => Total(redis.Key("quota:held"), now);

    private long? Total(RedisKey key, DateTimeOffset now) => redis.SharedOr<long?>(
        database => (long)database.ScriptEvaluate(SumScript, [key], [now.ToUnixTimeMilliseconds()]),
        () => null);

    private static string Normal(string owner) => owner.ToLowerInvariant();

    private sealed class Unlock(RedisConnection redis, RedisKey key, string token) : IDisposable
    {
        public void Dispose() => redis.SharedOr(database => RedisMutex.Release(database, key, token), () => false);
    }
}

/// <summary>A Redis key one holder has at a time: taken with <c>SET NX</c> and a lifetime, let go only by its holder.</summary>
public static class RedisMutex
{
    public const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /// <summary>
    /// Takes <paramref name="key"/> for <paramref name="token"/>, trying every <paramref name="poll"/>
    /// for up to <paramref name="patience"/>. <paramref name="whenHeld"/> runs once, the first time
    /// the key is found held (to ask its holder to let go). True when taken; false when it was
    /// still held at the end; null when Redis is not shared (a failure is reported to
    /// <paramref name="redis"/>, which then works alone).
    /// </summary>
    public static async Task<bool?> AcquireAsync(
        RedisConnection redis, RedisKey key, string token, TimeSpan lifetime, TimeSpan patience, TimeSpan poll, Func<Task>? whenHeld, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var asked = false;
        try
        {
            while (redis.Shared)
            {
                if (await redis.Database.StringSetAsync(key, token, lifetime, When.NotExists).ConfigureAwait(false))
                {
                    return true;
                }

                if (!asked && whenHeld is not null)
                {
                    await whenHeld().ConfigureAwait(false);
                }

                asked = true;
                if (waited.Elapsed > patience)
                {
                    return false;
                }

                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RedisException ex)
        {
            redis.Failed(ex);
        }

        return null;
    }

    public static bool Release(IDatabase database, RedisKey key, string token)
    {
        database.ScriptEvaluate(ReleaseScript, [key], [token], CommandFlags.FireAndForget);
        return true;
    }
}
