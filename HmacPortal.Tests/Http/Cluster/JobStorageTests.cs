using Hangfire;
using HmacPortal.Engine.Metadata;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Cluster;

/// <summary>What every job storage must do: run a job the host asks for.</summary>
internal static class JobStorageChecks
{
    /// <summary>Triggers the expiry job on <paramref name="node"/> and waits (bounded) until it has deleted an expired file.</summary>
    public static async Task ExpiryRunsAsync(HmacPortalFactory node)
    {
        var file = await node.StoreExpiredAsync();

        node.Services.GetRequiredService<IRecurringJobManager>().Trigger(RecurringJobs.ExpiryId);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (File.Exists(file) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        Assert.False(File.Exists(file), Describe(node.Services.GetRequiredService<JobStorage>()));
        Assert.Null(await node.Services.GetRequiredService<IMetadataStore>().GetAsync("slot/old.bin", CancellationToken.None));
    }

    /// <summary>What the job storage holds, for a failure message: counts by state and the last failures.</summary>
    private static string Describe(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var failures = monitoring.FailedJobs(0, 5).Select(j => $"{j.Value.Job?.Method.Name}: {j.Value.ExceptionType} {j.Value.ExceptionMessage}");
        return $"the expiry job did not delete the file: {stats.Servers} server(s), {stats.Enqueued} enqueued, {stats.Processing} processing, "
            + $"{stats.Succeeded} succeeded, {stats.Failed} failed, {stats.Scheduled} scheduled; {string.Join("; ", failures)}";
    }

    /// <summary>The scheduled occurrences (Hangfire's "Time" of each job its recurring job made) of every run of <paramref name="recurringJobId"/>.</summary>
    public static IReadOnlyList<string> Occurrences(JobStorage storage, string recurringJobId)
    {
        var monitoring = storage.GetMonitoringApi();
        using var connection = storage.GetConnection();
        return monitoring.SucceededJobs(0, 10_000).Select(j => j.Key)
            .Concat(monitoring.ProcessingJobs(0, 10_000).Select(j => j.Key))
            .Where(id => connection.GetJobParameter(id, "RecurringJobId")?.Trim('"') == recurringJobId)
            .Select(id => connection.GetJobParameter(id, "Time") ?? "?")
            .ToList();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresJobStorageTests(PostgresServer server)
{
    private string Toml(string database, string extra = "") =>
        $"[database]\nengine = \"postgresql\"\nconnection_string = \"{database}\"\n\n[jobs]\nstorage = \"postgresql\"\npoll_interval = \"1s\"\n{extra}";

    [Fact]
    public async Task Jobs_AreKeptInPostgres_AndRun()
    {
        using var node = new HmacPortalFactory(Toml(server.NewDatabase()));
        using var client = node.CreateClient();

        Assert.IsType<Hangfire.PostgreSql.PostgreSqlStorage>(node.Services.GetRequiredService<JobStorage>());
        await JobStorageChecks.ExpiryRunsAsync(node);
    }

    [Fact]
    public async Task TwoNodesSharingTheStorage_RunARecurringJobOncePerTick()
    {
        var database = server.NewDatabase();
        var toml = Toml(database, "disk_watch = \"*/2 * * * * *\"\n");
        using var first = new HmacPortalFactory(toml);
        using var second = new HmacPortalFactory(toml);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        var storage = first.Services.GetRequiredService<JobStorage>();

        // Both job servers announce themselves within a moment of starting; then both compete for every tick.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((storage.GetMonitoringApi().Servers().Count < 2 || JobStorageChecks.Occurrences(storage, RecurringJobs.DiskWatchId).Count < 4)
            && waited.Elapsed < TimeSpan.FromSeconds(40))
        {
            await Task.Delay(250);
        }

        Assert.Equal(2, storage.GetMonitoringApi().Servers().Count);

        var occurrences = JobStorageChecks.Occurrences(storage, RecurringJobs.DiskWatchId);
        Assert.True(occurrences.Count >= 4, $"only {occurrences.Count} runs in {waited.Elapsed}");
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisJobStorageTests(RedisServer redis)
{
    [Fact]
    public async Task Jobs_AreKeptInRedis_AndRun()
    {
        using var node = new HmacPortalFactory(redis.Toml("jobs" + Guid.NewGuid().ToString("N")[..8]) + "\n[jobs]\nstorage = \"redis\"\npoll_interval = \"1s\"\n");
        using var client = node.CreateClient();

        Assert.IsType<Hangfire.Redis.StackExchange.RedisStorage>(node.Services.GetRequiredService<JobStorage>());
        await JobStorageChecks.ExpiryRunsAsync(node);
    }
}
