namespace HmacPortal.Engine.Portal;

/// <summary>An admin's invitation to use the portal: a guest account with its own quota, size limit and expiry.</summary>
public sealed record Invite(
    string Id,
    string Label,
    long Quota,
    long MaxFileSize,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    bool Revoked)
{
    public bool IsUsableAt(DateTimeOffset now) => !Revoked && Expires > now;

    public PortalAccount Account => new(Label, PortalAccount.InviteOwner(Id), Quota, MaxFileSize);
}
