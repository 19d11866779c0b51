namespace HmacPortal.Engine.Signing;

/// <summary>How an upload was authorised.</summary>
public enum SignatureScheme
{
    None,
    /// <summary>Prosody v1 and ejabberd: HMAC over <c>path + " " + size</c>.</summary>
    V,
    /// <summary>Prosody v2: HMAC over <c>path \0 size \0 content-type</c>.</summary>
    V2,
    /// <summary>Metronome: the same bytes as v2.</summary>
    Token,
    /// <summary>The Go server's own scheme: HMAC over <c>PUT \n expires \n /path</c>.</summary>
    V3,
    /// <summary>A JWT upload grant (Prosody mod_http_file_share style).</summary>
    Jwt,
}
