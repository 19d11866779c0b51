using Hangfire;
using HmacPortal.Endpoints.Accounts;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Jobs;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// Hangfire: in-memory storage, <c>[jobs] workers</c> workers, jobs resolved from DI, the recurring
/// jobs registered from the <c>[jobs]</c> schedules (and again whenever they are edited), and the
/// dashboard at <c>/hangfire</c> for admins only.
/// </summary>
internal static class JobsSetup
{
    public const string DashboardPath = "/hangfire";

    public static IServiceCollection AddHmacPortalJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ExpiryJob>();
        services.AddSingleton<SweepJob>();
        services.AddSingleton<MaintenanceJob>();
        services.AddSingleton<DiskSpaceWatchdog>();
        services.AddSingleton<CatchUpJob>();
        services.AddSingleton<DedupCollectJob>();
        services.AddSingleton<RecurringJobs>();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();

        // The host's own storage, in the container: never Hangfire's process-wide default, so two
        // hosts in one process (as in the tests) cannot take each other's jobs.
        services.AddSingleton<JobStorage>(provider => CreateStorage(provider, jobs));

        // Likewise the activator: Hangfire's default is a process-wide one, which a job could reach
        // from another (even a disposed) host in the same process.
        services.AddSingleton<JobActivator>(provider => new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(provider.GetRequiredService<JobStorage>()));
        var workers = jobs.Workers;
        var before = services.Count;
        services.AddHangfireServer(server =>
        {
            server.WorkerCount = Math.Clamp(workers, 1, 64);
            server.ServerName = $"hmacportal-{Environment.MachineName}-{Environment.ProcessId}";
            server.SchedulePollingInterval = jobs.PollInterval;
        });

        // Hangfire's server throws when the host's shutdown time runs out before its jobs stop,
        // which would end the process with an abort instead of exit code 0.
        var server = services.Skip(before).Single(d => d.ServiceType == typeof(IHostedService));
        services.Remove(server);
        services.AddSingleton<IHostedService>(provider => new BoundedStop(
            (IHostedService)(server.ImplementationFactory?.Invoke(provider) ?? ActivatorUtilities.CreateInstance(provider, server.ImplementationType!)),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("HmacPortal.Jobs")));
        services.AddHostedService<RecurringJobRegistrar>();
        return services;
    }

    /// <summary>Memory for one node; PostgreSQL (the [database] one, schema <c>hangfire</c>) or Redis for several, where a recurring job runs once per schedule.</summary>
    private static JobStorage CreateStorage(IServiceProvider provider, JobsOptions jobs)
    {
        switch (jobs.Storage)
        {
            case JobsOptions.PostgreSqlStorage:
                var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
                var postgres = new Hangfire.PostgreSql.PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = jobs.PollInterval,
                    DistributedLockTimeout = TimeSpan.FromMinutes(1),
                };
                return new Hangfire.PostgreSql.PostgreSqlStorage(
                    new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(database.ConnectionString, postgres), postgres);
            case JobsOptions.RedisStorage:
                var redis = provider.GetRequiredService<HmacPortal.Engine.Cluster.RedisConnection>();
                return new Hangfire.Redis.StackExchange.RedisStorage(redis.Multiplexer, new Hangfire.Redis.StackExchange.RedisStorageOptions
                {
                    Prefix = redis.Prefix + "hangfire:",
                    Db = redis.DatabaseIndex,
                });
            default:
                return new Hangfire.InMemory.InMemoryStorage();
        }
    }

    public static IEndpointRouteBuilder MapHmacPortalJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboardWithAuthorizationPolicy(AccountClaims.AdminPolicy, DashboardPath, new DashboardOptions
        {
            // Access is decided by the admin policy on the endpoint, never by where a request seems to come from.
            Authorization = [],
            AppPath = "/admin",
            DashboardTitle = "HmacPortal jobs",
            DisplayStorageConnectionString = false,
        });
        return endpoints;
    }

    /// <summary>Stops the job server within the host's shutdown time; jobs still running then are abandoned and run again later.</summary>
    private sealed class BoundedStop(IHostedService inner, ILogger logger) : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.StopAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                HostingLog.JobsAbandoned(logger);
            }
        }

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }

    /// <summary>Keeps the recurring jobs in step with the <c>[jobs]</c> schedules, including after a config edit.</summary>
    private sealed class RecurringJobRegistrar(IRecurringJobManager manager, IOptionsMonitor<JobsOptions> jobs) : IHostedService, IDisposable
    {
        private IDisposable? _subscription;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Register(jobs.CurrentValue);
            _subscription = jobs.OnChange(Register);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private void Register(JobsOptions options)
        {
            var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.ExpiryId, j => j.ExpiryAsync(CancellationToken.None), options.Expiry, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.SweepId, j => j.SweepAsync(CancellationToken.None), options.Sweep, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.MaintenanceId, j => j.MaintenanceAsync(CancellationToken.None), options.Maintenance, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.DiskWatchId, j => j.DiskWatchAsync(CancellationToken.None), options.DiskWatch, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.CatchUpId, j => j.CatchUpAsync(CancellationToken.None), options.CatchUp, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.DedupCollectId, j => j.DedupCollectAsync(CancellationToken.None), options.DedupCollect, utc);
            manager.AddOrUpdate<RecurringJobs>(RecurringJobs.KeyRotationId, j => j.KeyRotationAsync(CancellationToken.None), RecurringJobs.KeyRotationSchedule, utc);
        }

        public void Dispose() => _subscription?.Dispose();
    }
}
