namespace HmacPortal.Engine.Sharing;

public enum ShareState
{
    Active,
    Expired,
    /// <summary>The download limit has been reached.</summary>
    Exhausted,
    Revoked,
}
