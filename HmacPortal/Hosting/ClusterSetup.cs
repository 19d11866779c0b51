using HmacPortal.Engine.Cluster;

namespace HmacPortal.Hosting;

/// <summary>What several nodes share: the Redis connection, the limits kept in it, and the one-writer lock of resumable uploads.</summary>
internal static class ClusterSetup
{
    public static IServiceCollection AddHmacPortalCluster(this IServiceCollection services)
    {
        services.AddSingleton<RedisConnection>();
        services.AddSingleton(provider => new TokenBuckets(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<RedisConnection>()));
        services.AddSingleton<WriterLocks>();
        services.AddSingleton<SharedHolds>();
        return services;
    }
}
