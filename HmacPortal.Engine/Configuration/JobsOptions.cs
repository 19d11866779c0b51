namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[jobs]</c> table: background workers and the schedule of each recurring job (cron, UTC).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public int Workers { get; set; } = 2;

    public string Expiry { get; set; } = "*/5 * * * *";

    public string Sweep { get; set; } = "*/15 * * * *";

    public string Maintenance { get; set; } = "30 3 * * *";

    public string DiskWatch { get; set; } = "* * * * *";

    public string CatchUp { get; set; } = "*/5 * * * *";

    public string DedupCollect { get; set; } = "15 4 * * *";
}
