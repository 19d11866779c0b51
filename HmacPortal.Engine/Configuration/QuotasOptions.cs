namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[quotas]</c> table and its <c>[quotas.custom]</c>.</summary>
public sealed class QuotasOptions
{
    public const string Section = "Quotas";

    public bool Enabled { get; set; }

    public ByteSize Default { get; set; } = ByteSize.Parse("1GB");

    public ByteSize Global { get; set; } = new(0);

    /// <summary>Owner to size (as written), from <c>[quotas.custom]</c>.</summary>
    public Dictionary<string, string> Custom { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
