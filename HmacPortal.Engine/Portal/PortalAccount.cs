namespace HmacPortal.Engine.Portal;

/// <summary>Who is using the portal and what they may store.</summary>
/// <param name="Name">What the portal shows (the user name, the invite's label, or "anonymous").</param>
/// <param name="Owner">The owner recorded on their files and links, and charged for their quota.</param>
/// <param name="Quota">Bytes the owner may hold.</param>
/// <param name="MaxFileSize">Largest single file (further limited by <c>[server] max_upload_size</c>).</param>
/// <param name="IsAnonymous">A visitor who is not signed in: no My files, no links of their own beyond this visit.</param>
public sealed record PortalAccount(string Name, string Owner, long Quota, long MaxFileSize, bool IsAnonymous = false)
{
    /// <summary>The owner all anonymous uploads share.</summary>
    public const string AnonymousOwner = "anonymous";

    /// <summary>The owner of an invite's uploads: invites are separate accounts with their own quota.</summary>
    public static string InviteOwner(string inviteId) => $"invite:{inviteId}";
}
