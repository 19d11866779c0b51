namespace HmacPortal.Engine.Portal;

/// <summary>Permission to upload one file from the portal, or why not.</summary>
/// <param name="Token">The bearer token for the tus creation request; null when refused.</param>
/// <param name="Path">Where the finished file will be (its download path).</param>
public sealed record PortalGrant(string? Token, string Path, string Error)
{
    public static PortalGrant Refused(string error) => new(null, string.Empty, error);
}
