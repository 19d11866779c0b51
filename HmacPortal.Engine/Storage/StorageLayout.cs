using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// Where a requested path is kept on disk. With <c>file_naming = "original"</c> it is the path itself;
/// with <c>"HMAC"</c> it is a name derived from the path (SHA-256, fanned out by its first byte, the
/// suffix kept), so nothing of the original name reaches the disk and the GET URL still finds it.
/// </summary>
public sealed class StorageLayout(IOptionsMonitor<ServerOptions> options)
{
    public StoragePath Locate(StoragePath requested)
    {
        if (!options.CurrentValue.FileNaming.Equals("hmac", StringComparison.OrdinalIgnoreCase))
        {
            return requested;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested.Value)));
        return StoragePath.TryCreate($"{hash[..2]}/{hash}{Suffix(requested.FileName)}", out var stored, out var error)
            ? stored
            : throw new InvalidOperationException(error);
    }

    /// <summary>The name's suffix from its first dot (<c>.tar.gz</c>), if short and plain; otherwise none.</summary>
    public static string Suffix(string fileName)
    {
        var dot = fileName.IndexOf('.', 1);
        if (dot < 0)
        {
            return string.Empty;
        }

        var suffix = fileName[dot..];
        return suffix.Length <= 16 && suffix.All(c => char.IsAsciiLetterOrDigit(c) || c == '.') ? suffix.ToLowerInvariant() : string.Empty;
    }
}
