using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HmacPortal.Engine.Signing;

/// <summary>
/// The claims of a JWT upload grant (HS256/384/512 with a shared secret), after its signature and
/// algorithm were checked. Written out here rather than through a general JWT library so that
/// exactly one algorithm is accepted and every claim this server relies on is required.
/// </summary>
public sealed record JwtGrant(
    string Subject,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string Slot,
    string FileName,
    long FileSize,
    string? FileType,
    DateTimeOffset? FileExpiresAt)
{
    /// <summary>Checks the token's form, algorithm and signature, and reads its claims.</summary>
    public static bool TryRead(string token, string secret, string algorithm, out JwtGrant grant, out string error)
    {
        grant = null!;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = "the token is not a JWT";
            return false;
        }

        if (!TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var payloadBytes) || !TryDecode(parts[2], out var signature))
        {
            error = "the token is not base64url";
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != algorithm)
            {
                error = $"the token is not signed with {algorithm}";
                return false;
            }

            var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            var key = Encoding.UTF8.GetBytes(secret);
            var expected = algorithm switch
            {
                "HS256" => HMACSHA256.HashData(key, signed),
                "HS384" => HMACSHA384.HashData(key, signed),
                "HS512" => HMACSHA512.HashData(key, signed),
                _ => [],
            };
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                error = "the token's signature is wrong";
                return false;
            }

            using var payload = JsonDocument.Parse(payloadBytes);
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object
                || !TryString(claims, "sub", out var sub)
                || !TryTime(claims, "iat", out var iat)
                || !TryTime(claims, "exp", out var exp)
                || !TryString(claims, "slot", out var slot)
                || !TryString(claims, "filename", out var filename)
                || !claims.TryGetProperty("filesize", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var filesize) || filesize < 0)
            {
                error = "the token lacks one of the claims sub, iat, exp, slot, filename, filesize";
                return false;
            }

            var type = TryString(claims, "filetype", out var t) ? t : null;
            DateTimeOffset? fileExpires = TryTime(claims, "expires", out var e) ? e : null;
            grant = new JwtGrant(sub, iat, exp, slot, filename, filesize, type, fileExpires);
            error = string.Empty;
            return true;
        }
        catch (JsonException)
        {
            error = "the token's header or claims are not JSON";
            return false;
        }
    }

    private static bool TryString(JsonElement claims, string name, out string value)
    {
        value = string.Empty;
        if (claims.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } s)
        {
            value = s;
            return true;
        }

        return false;
    }

    private static bool TryTime(JsonElement claims, string name, out DateTimeOffset value)
    {
        value = default;
        if (claims.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number
            && element.TryGetInt64(out var seconds) && seconds is > 0 and < 253402300799)
        {
            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        return false;
    }

    private static bool TryDecode(string base64Url, out byte[] bytes)
    {
        bytes = [];
        if (base64Url.Length == 0)
        {
            return false;
        }

        var s = base64Url.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        try
        {
            bytes = Convert.FromBase64String(s);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
