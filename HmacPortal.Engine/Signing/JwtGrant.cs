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
    DateTimeOffset? FileExpiresAt,
    long? Quota = null,
    string? Purpose = null)
{
    /// <summary>The XEP-0363 purposes a grant may name (the <c>purpose</c> claim, optional).</summary>
    public static readonly string[] Purposes = ["message", "profile", "ephemeral", "permanent"];

    /// <summary>The <c>kid</c> of a token's header, or null when it has none or is not a JWT.</summary>
    public static string? ReadKeyId(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !TryDecode(token[..dot], out var headerBytes))
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            return header.RootElement.ValueKind == JsonValueKind.Object
                && header.RootElement.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String
                ? kid.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes this grant as a JWT signed with <paramref name="secret"/> (the server's own grants).</summary>
    public string Write(string secret, string algorithm, string? keyId = null)
    {
        var header = new Dictionary<string, string> { ["alg"] = algorithm, ["typ"] = "JWT" };
        if (keyId is not null)
        {
            header["kid"] = keyId;
        }

        var claims = new Dictionary<string, object>
        {
            ["sub"] = Subject,
            ["iat"] = IssuedAt.ToUnixTimeSeconds(),
            ["exp"] = ExpiresAt.ToUnixTimeSeconds(),
            ["slot"] = Slot,
            ["filename"] = FileName,
            ["filesize"] = FileSize,
        };
        if (FileType is not null)
        {
            claims["filetype"] = FileType;
        }

        if (FileExpiresAt is { } expires)
        {
            claims["expires"] = expires.ToUnixTimeSeconds();
        }

        if (Quota is { } quota)
        {
            claims["quota"] = quota;
        }

        var signed = $"{Encode(JsonSerializer.SerializeToUtf8Bytes(header))}.{Encode(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        return $"{signed}.{Encode(Sign(algorithm, Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signed)))}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Sign(string algorithm, byte[] key, byte[] signed) => algorithm switch
    {
        "HS256" => HMACSHA256.HashData(key, signed),
        "HS384" => HMACSHA384.HashData(key, signed),
        "HS512" => HMACSHA512.HashData(key, signed),
        _ => [],
    };

    /// <summary>Checks the token's form, algorithm and signature, and reads its claims.</summary>
    public const string WrongSignature = "the token's signature is wrong";

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
            var expected = Sign(algorithm, Encoding.UTF8.GetBytes(secret), signed);
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                error = WrongSignature;
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
            long? quota = claims.TryGetProperty("quota", out var q) && q.ValueKind == JsonValueKind.Number && q.TryGetInt64(out var limit) && limit >= 0 ? limit : null;
            string? purpose = null;
            if (claims.TryGetProperty("purpose", out _))
            {
                if (!TryString(claims, "purpose", out var named) || !Purposes.Contains(named))
                {
                    error = $"the token's purpose must be one of {string.Join(", ", Purposes)}";
                    return false;
                }

                purpose = named;
            }

            grant = new JwtGrant(sub, iat, exp, slot, filename, filesize, type, fileExpires, quota, purpose);
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
