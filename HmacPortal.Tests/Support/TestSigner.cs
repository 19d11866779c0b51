using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Tests.Support;

/// <summary>
/// Signs upload URLs the way Prosody, ejabberd, Metronome and JWT issuers do, written from the
/// protocol notes and independent of the product's own signing code.
/// </summary>
public static class TestSigner
{
    public static string Mac(string secret, string message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    public static string V(string secret, string path, long size) =>
        Mac(secret, string.Create(CultureInfo.InvariantCulture, $"{path} {size}"));

    public static string V2(string secret, string path, long size, string contentType) =>
        Mac(secret, string.Create(CultureInfo.InvariantCulture, $"{path}\0{size}\0{contentType}"));

    public static string V3(string secret, string path, long expires) =>
        Mac(secret, string.Create(CultureInfo.InvariantCulture, $"PUT\n{expires}\n/{path}"));

    /// <summary>The query parameter name and MAC for a vector's scheme.</summary>
    public static (string Param, string Mac) Sign(string scheme, string secret, string path, long size, string? contentType) => scheme switch
    {
        "v" => ("v", V(secret, path, size)),
        "v2" => ("v2", V2(secret, path, size, contentType ?? "application/octet-stream")),
        "token" => ("token", V2(secret, path, size, contentType ?? "application/octet-stream")),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    /// <summary>Prosody's encoding: every byte outside [A-Za-z0-9.~_-] as lowercase %xx, '/' kept.</summary>
    public static string ProsodyEncode(string path) => Encode(path, upper: false);

    /// <summary>ejabberd 23.01's encoding: the same with uppercase hex.</summary>
    public static string EjabberdEncode(string path) => Encode(path, upper: true);

    private static string Encode(string path, bool upper)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(path))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '~' or '_' or '-' or '/')
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString(upper ? "X2" : "x2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>An HS256/384/512 JWT over the given header and claims.</summary>
    public static string Jwt(string secret, object claims, string algorithm = "HS256")
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(JsonSerialize(new { alg = algorithm, typ = "JWT" }));
        var payload = B64(JsonSerialize(claims));
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var signature = algorithm switch
        {
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            "none" => [],
            _ => HMACSHA256.HashData(key, data),
        };
        return $"{header}.{payload}.{B64(signature)}";
    }

    private static byte[] JsonSerialize(object value) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value);
}
