namespace HmacPortal.Engine.Portal;

/// <summary>The limits a portal user sees before sending a file; the server enforces them again.</summary>
public sealed record PortalLimits(long MaxFileSize, IReadOnlyList<string> AllowedExtensions, long Quota, long Used)
{
    public long Left => Math.Max(0, Quota - Used);
}
