namespace HmacPortal.Engine.Configuration;

/// <summary>
/// The <c>[owners]</c> table: who owns an upload when no signed identity (a JWT's <c>sub</c>, a
/// portal user) names one, and how identities are mapped to the owner names quotas and limits use.
/// </summary>
public sealed class OwnersOptions
{
    public const string Section = "Owners";

    /// <summary>The separator of a <see cref="Map"/> entry: <c>"10.0.0.0/8 => office"</c>.</summary>
    public const string MapArrow = "=>";

    /// <summary>ejabberd's per-user directory (the SHA-1 of the address, first path segment) names the owner.</summary>
    public bool EjabberdDirectories { get; set; } = true;

    /// <summary>Otherwise the client's address is the owner.</summary>
    public bool ByAddress { get; set; } = true;

    /// <summary>IPv6 clients are owners by this prefix (a phone's addresses change within its /64).</summary>
    public int Ipv6Prefix { get; set; } = 64;

    /// <summary><c>"match => owner"</c>: an owner, an address or a network (CIDR) on the left, the owner it counts as on the right.</summary>
    public List<string> Map { get; set; } = [];
}
