using System.Security.Cryptography;

namespace HmacPortal.Engine.Resumable;

/// <summary>The checksum extension: <c>Upload-Checksum: &lt;algorithm&gt; &lt;base64&gt;</c> over one PATCH body.</summary>
public static class TusChecksum
{
    public static IReadOnlyList<string> Algorithms { get; } = ["sha1", "sha256", "md5"];

    public static bool TryParse(string header, out HashAlgorithmName algorithm, out byte[] expected, out string error)
    {
        algorithm = default;
        expected = [];
        var parts = header.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            error = "Upload-Checksum must be '<algorithm> <base64>'";
            return false;
        }

        algorithm = parts[0].ToLowerInvariant() switch
        {
            "sha1" => HashAlgorithmName.SHA1,
            "sha256" => HashAlgorithmName.SHA256,
            "md5" => HashAlgorithmName.MD5,
            _ => default,
        };
        if (algorithm == default)
        {
            error = $"checksum algorithm '{parts[0]}' is not one of {string.Join(", ", Algorithms)}";
            return false;
        }

        try
        {
            expected = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            error = "Upload-Checksum's value is not base64";
            return false;
        }

        error = string.Empty;
        return true;
    }
}
