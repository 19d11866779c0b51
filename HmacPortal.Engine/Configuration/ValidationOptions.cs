namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[validation]</c> table.</summary>
public sealed class ValidationOptions
{
    public const string Section = "Validation";

    public bool CheckMagicBytes { get; set; }

    /// <summary>Media types (or <c>image/*</c> patterns) accepted; empty accepts any.</summary>
    public List<string> AllowedTypes { get; set; } = [];

    /// <summary>Media types (or patterns) refused.</summary>
    public List<string> BlockedTypes { get; set; } = [];
}
