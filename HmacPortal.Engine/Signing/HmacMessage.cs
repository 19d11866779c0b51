using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Engine.Signing;

/// <summary>The exact bytes each XEP-0363 scheme signs, and the MAC comparison.</summary>
public static class HmacMessage
{
    public const string DefaultContentType = "application/octet-stream";

    public static byte[] ForV(string path, long size) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{path} {size}"));

    public static byte[] ForV2(string path, long size, string contentType) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{path}\0{size}\0{contentType}"));

    public static byte[] ForV3(string path, string expires) =>
        Encoding.UTF8.GetBytes($"PUT\n{expires}\n/{path}");

    public static byte[] Compute(string secret, byte[] message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);

    /// <summary>
    /// True when <paramref name="hex"/> is exactly 64 hex characters (either case) whose bytes equal
    /// the MAC of <paramref name="message"/>, compared in constant time.
    /// </summary>
    public static bool Matches(string secret, byte[] message, string? hex)
    {
        if (hex is null || hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), Compute(secret, message));
    }
}
