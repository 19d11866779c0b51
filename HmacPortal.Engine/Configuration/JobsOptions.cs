namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[jobs]</c> table: background workers and the schedule of each recurring job (cron, UTC).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public const string MemoryStorage = "memory";
    public const string PostgreSqlStorage = "postgresql";
    public const string RedisStorage = "redis";

    public int Workers { get; set; } = 2;

    /// <summary>Where jobs, their schedules and history are kept: <c>memory</c> (one node), <c>postgresql</c> or <c>redis</c> (shared).</summary>
    public string Storage { get; set; } = MemoryStorage;

    /// <summary>How often each node looks for scheduled and recurring jobs that are due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    public string Expiry { get; set; } = "*/5 * * * *";

    public string Sweep { get; set; } = "*/15 * * * *";

    public string Maintenance { get; set; } = "30 3 * * *";

    public string DiskWatch { get; set; } = "* * * * *";

    public string CatchUp { get; set; } = "*/5 * * * *";

    public string DedupCollect { get; set; } = "15 4 * * *";
}
