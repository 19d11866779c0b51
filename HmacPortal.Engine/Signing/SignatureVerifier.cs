using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Signing;

/// <summary>
/// Decides whether a PUT may store a file. Exactly one scheme is tried, chosen by what the request
/// carries (<c>token</c>/<c>v2</c> over <c>v</c>, then <c>v3</c>, then a JWT); there is no fallback
/// from one message layout to another.
/// </summary>
public sealed class SignatureVerifier(
    IOptionsMonitor<SecurityOptions> options, TimeProvider clock, IOptionsMonitor<ServerOptions>? server = null, Keyring? keyring = null)
{
    /// <summary>The secrets a MAC may be made with now: the keyring's current and in-grace keys, or <c>[security] secret</c>.</summary>
    private IReadOnlyList<string> Secrets(SecurityOptions security) => keyring?.VerifyingSecrets() ?? [security.Secret];

    private bool Matches(SecurityOptions security, byte[] message, string? mac)
    {
        foreach (var secret in Secrets(security))
        {
            if (HmacMessage.Matches(secret, message, mac))
            {
                return true;
            }
        }

        return false;
    }

    public SignatureCheck Verify(StoragePath path, long contentLength, string? contentType, UploadCredentials credentials)
    {
        var security = options.CurrentValue;
        var type = string.IsNullOrEmpty(contentType) ? HmacMessage.DefaultContentType : contentType;

        if (credentials.Token is not null || credentials.V2 is not null)
        {
            var scheme = credentials.Token is not null ? SignatureScheme.Token : SignatureScheme.V2;
            var mac = credentials.Token ?? credentials.V2;
            // The signed type is the file's type, even when the client sent none and it defaulted.
            return Matches(security, HmacMessage.ForV2(path.Value, contentLength, type), mac)
                ? Valid(scheme, path) with { GrantedContentType = type }
                : Invalid(scheme, "the MAC does not match the path, size and content type");
        }

        if (credentials.V is not null)
        {
            return Matches(security, HmacMessage.ForV(path.Value, contentLength), credentials.V)
                ? Valid(SignatureScheme.V, path)
                : Invalid(SignatureScheme.V, "the MAC does not match the path and size");
        }

        if (credentials.V3 is not null)
        {
            return VerifyV3(security, path, credentials);
        }

        if (credentials.BearerToken is not null && security.EnableJwt)
        {
            return VerifyJwt(security, path, contentLength, credentials.BearerToken);
        }

        return new SignatureCheck(SignatureStatus.Missing, SignatureScheme.None, "the request carries no MAC (v, v2, token or v3) and no token");
    }

    private SignatureCheck VerifyV3(SecurityOptions security, StoragePath path, UploadCredentials credentials)
    {
        if (credentials.Expires is null
            || !long.TryParse(credentials.Expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return Invalid(SignatureScheme.V3, "a v3 link needs 'expires' as Unix seconds");
        }

        if (!Matches(security, HmacMessage.ForV3(path.Value, credentials.Expires), credentials.V3))
        {
            return Invalid(SignatureScheme.V3, "the MAC does not match the path and expiry");
        }

        return clock.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(expires) + security.V3Grace
            ? new SignatureCheck(SignatureStatus.LinkExpired, SignatureScheme.V3, "the upload link has expired")
            : Valid(SignatureScheme.V3, path);
    }

    private SignatureCheck VerifyJwt(SecurityOptions security, StoragePath path, long contentLength, string token)
    {
        var (check, grant) = ReadGrant(security, token);
        if (grant is null)
        {
            return check;
        }

        if (path.Segments.Count != 2 || path.Segments[0] != grant.Slot || path.Segments[1] != grant.FileName)
        {
            return new SignatureCheck(SignatureStatus.TokenPathMismatch, SignatureScheme.Jwt, "the path is not the token's slot/filename");
        }

        if (grant.FileSize != contentLength)
        {
            return new SignatureCheck(SignatureStatus.TokenSizeMismatch, SignatureScheme.Jwt, "Content-Length differs from the token's filesize");
        }

        return check;
    }

    /// <summary>
    /// Checks a JWT upload grant (form, pinned algorithm, signature, window, expiry) without binding
    /// it to a path: the caller checks slot, filename and size against what it is asked to store.
    /// </summary>
    public (SignatureCheck Check, JwtGrant? Grant) ReadGrant(string token) => ReadGrant(options.CurrentValue, token);

    private (SignatureCheck Check, JwtGrant? Grant) ReadGrant(SecurityOptions security, string token)
    {
        // The portal's own grants name their key; only they are checked against it, and they work
        // whether or not the XMPP server's JWTs are enabled.
        if (JwtGrant.ReadKeyId(token) == PortalGrantKey.KeyId)
        {
            // A grant made just before a key rotation stays good for its short lifetime: any verifying key may have signed it.
            var secrets = Secrets(security);
            (SignatureCheck Check, JwtGrant? Grant) result = default;
            foreach (var secret in secrets)
            {
                result = CheckGrant(token, PortalGrantKey.Derive(secret), PortalGrantKey.Algorithm, PortalGrantKey.Lifetime);
                if (result.Grant is not null || result.Check.Detail != JwtGrant.WrongSignature)
                {
                    break;
                }
            }

            return result;
        }

        if (!security.EnableJwt)
        {
            return (new SignatureCheck(SignatureStatus.Missing, SignatureScheme.None, "upload tokens are not enabled (enablejwt)"), null);
        }

        return CheckGrant(token, security.JwtSecret, security.JwtAlgorithm, security.JwtExpiration);
    }

    private (SignatureCheck Check, JwtGrant? Grant) CheckGrant(string token, string secret, string algorithm, TimeSpan longestWindow)
    {
        if (!JwtGrant.TryRead(token, secret, algorithm, out var grant, out var error))
        {
            return (new SignatureCheck(SignatureStatus.TokenInvalid, SignatureScheme.Jwt, error), null);
        }

        if (grant.ExpiresAt - grant.IssuedAt > longestWindow)
        {
            return (new SignatureCheck(SignatureStatus.TokenInvalid, SignatureScheme.Jwt, "the token grants a longer upload window than jwtexpiration allows"), null);
        }

        if (clock.GetUtcNow() >= grant.ExpiresAt)
        {
            return (new SignatureCheck(SignatureStatus.TokenExpired, SignatureScheme.Jwt, "the upload token has expired"), null);
        }

        // XEP-0363's "ephemeral" purpose: a file meant to be short-lived expires after ephemeral_ttl unless the grant says when.
        var fileExpires = grant.FileExpiresAt
            ?? (grant.Purpose == "ephemeral" ? grant.IssuedAt + (server?.CurrentValue.EphemeralTtl ?? ServerOptions.DefaultEphemeralTtl) : null);
        grant = grant with { FileExpiresAt = fileExpires };
        return (new SignatureCheck(SignatureStatus.Valid, SignatureScheme.Jwt, string.Empty, grant.Subject, fileExpires, grant.FileType), grant);
    }

    /// <summary>ejabberd puts uploads under the SHA-1 of the uploader's JID; that directory identifies the owner.</summary>
    private static SignatureCheck Valid(SignatureScheme scheme, StoragePath path)
    {
        var first = path.Segments[0];
        var owner = path.Segments.Count >= 3 && first.Length == 40 && first.All(Uri.IsHexDigit) ? first.ToLowerInvariant() : null;
        return new SignatureCheck(SignatureStatus.Valid, scheme, string.Empty, owner);
    }

    private static SignatureCheck Invalid(SignatureScheme scheme, string detail) =>
        new(SignatureStatus.Invalid, scheme, detail);
}
