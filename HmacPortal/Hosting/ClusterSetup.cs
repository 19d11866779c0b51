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
        services.AddSingleton<ClusterView>();
        services.AddHostedService<ClusterViewHost>();
        return services;
    }

    /// <summary>Runs the cluster's live view for as long as the host does.</summary>
    private sealed class ClusterViewHost(ClusterView view) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => view.RunAsync(stoppingToken);
    }
}
