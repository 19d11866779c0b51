namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[rate_limit]</c> table: a token bucket per client address for upload requests.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    public bool Enabled { get; set; }

    public int RequestsPerMinute { get; set; } = 120;

    public int Burst { get; set; } = 20;

    public List<string> Exempt { get; set; } = [];
}
