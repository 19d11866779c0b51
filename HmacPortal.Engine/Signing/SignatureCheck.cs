namespace HmacPortal.Engine.Signing;

/// <summary>The verdict on an upload's credentials, with what a valid grant says about the file.</summary>
public sealed record SignatureCheck(
    SignatureStatus Status,
    SignatureScheme Scheme,
    string Detail,
    string? Owner = null,
    DateTimeOffset? FileExpiresAt = null,
    string? GrantedContentType = null)
{
    public bool IsValid => Status == SignatureStatus.Valid;
}
