namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[audit]</c> table: the audit log as JSON lines in a file, rolled by size and age.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    public bool Enabled { get; set; }

    /// <summary>The file written; empty is <c>audit.jsonl</c> in data_path.</summary>
    public string Path { get; set; } = string.Empty;

    public ByteSize MaxSize { get; set; } = ByteSize.Parse("100MB");

    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);
}
