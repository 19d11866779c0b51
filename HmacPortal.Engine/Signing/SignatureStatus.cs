namespace HmacPortal.Engine.Signing;

public enum SignatureStatus
{
    Valid,
    /// <summary>No MAC and no token: 403.</summary>
    Missing,
    /// <summary>Malformed or wrong MAC, or size/type differ from what was signed: 403.</summary>
    Invalid,
    /// <summary>A v3 link past its expiry and grace period: 403.</summary>
    LinkExpired,
    /// <summary>A JWT that is missing, malformed, wrongly signed or grants too much: 401.</summary>
    TokenInvalid,
    /// <summary>A JWT whose <c>exp</c> has passed: 410.</summary>
    TokenExpired,
    /// <summary>The path does not match the JWT's <c>slot</c>/<c>filename</c>: 400.</summary>
    TokenPathMismatch,
    /// <summary><c>Content-Length</c> differs from the JWT's <c>filesize</c>: 413.</summary>
    TokenSizeMismatch,
}
