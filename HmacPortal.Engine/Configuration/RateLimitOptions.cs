namespace HmacPortal.Engine.Configuration;

/// <summary>
/// The <c>[rate_limit]</c> table: token buckets for upload requests, one per client address and,
/// with <c>by_owner</c>, one per owner.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    public bool Enabled { get; set; }

    public int RequestsPerMinute { get; set; } = 120;

    public int Burst { get; set; } = 20;

    /// <summary>Limit each client address (before any other work).</summary>
    public bool ByAddress { get; set; } = true;

    /// <summary>Limit each owner (after the signature is checked).</summary>
    public bool ByOwner { get; set; }

    /// <summary>Addresses and networks never limited.</summary>
    public List<string> Exempt { get; set; } = [];

    /// <summary>Owners never limited.</summary>
    public List<string> ExemptOwners { get; set; } = [];
}
