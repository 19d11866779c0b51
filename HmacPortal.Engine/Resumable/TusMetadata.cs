using System.Text;

namespace HmacPortal.Engine.Resumable;

/// <summary>Upload-Metadata: comma-separated <c>key base64value</c> pairs (the value may be absent).</summary>
public static class TusMetadata
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static bool TryParse(string? header, out Dictionary<string, string> pairs, out string error)
    {
        pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        foreach (var item in header.Split(','))
        {
            var parts = item.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2 || parts[0].Any(c => c is ' ' or ',' || char.IsControl(c)))
            {
                error = "Upload-Metadata must be comma-separated 'key base64value' pairs";
                return false;
            }

            try
            {
                var value = parts.Length == 2 ? StrictUtf8.GetString(Convert.FromBase64String(parts[1])) : string.Empty;
                if (!pairs.TryAdd(parts[0], value))
                {
                    error = $"Upload-Metadata has the key '{parts[0]}' twice";
                    return false;
                }
            }
            catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
            {
                error = $"Upload-Metadata value of '{parts[0]}' is not base64 of UTF-8 text";
                return false;
            }
        }

        return true;
    }
}
