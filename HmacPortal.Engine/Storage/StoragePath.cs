using System.Text;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// A relative path inside the storage root that is safe to use: one or more segments, none empty,
/// <c>.</c> or <c>..</c>, none with a backslash, a control character or NUL, none longer than 255
/// UTF-8 bytes, none naming the server's internal files. <see cref="Value"/> is also the signed
/// path of the XEP-0363 protocols.
/// </summary>
public sealed class StoragePath : IEquatable<StoragePath>
{
    /// <summary>Names starting with this are the server's own (temp files, probes) and never addressable.</summary>
    public const string InternalPrefix = ".hmacportal";

    public const int MaxSegmentBytes = 255;
    public const int MaxSegments = 16;
    public const int MaxTotalBytes = 1024;

    private StoragePath(string[] segments)
    {
        Segments = segments;
        Value = string.Join('/', segments);
    }

    /// <summary>The path, segments joined with <c>/</c>, without a leading slash.</summary>
    public string Value { get; }

    public IReadOnlyList<string> Segments { get; }

    public string FileName => Segments[^1];

    /// <summary>Parses an already decoded path such as <c>uuid/très cool.jpg</c>.</summary>
    public static bool TryCreate(string? decoded, out StoragePath path, out string error)
    {
        path = null!;
        if (string.IsNullOrEmpty(decoded))
        {
            error = "the path is empty";
            return false;
        }

        var segments = decoded.Split('/');
        foreach (var segment in segments)
        {
            if (!IsValidSegment(segment, out error))
            {
                return false;
            }
        }

        return Finish(segments, out path, out error);
    }

    /// <summary>
    /// Parses a path as it appears in a request target: each segment is percent-decoded exactly once
    /// (a <c>+</c> stays a plus) and must decode to valid UTF-8; a segment that decodes to contain
    /// <c>/</c> (an encoded <c>%2F</c>) is refused rather than taken as a separator.
    /// </summary>
    public static bool TryParseEncoded(string? raw, out StoragePath path, out string error)
    {
        path = null!;
        if (string.IsNullOrEmpty(raw))
        {
            error = "the path is empty";
            return false;
        }

        var rawSegments = raw.Split('/');
        var segments = new string[rawSegments.Length];
        for (var i = 0; i < rawSegments.Length; i++)
        {
            if (!TryDecodeSegment(rawSegments[i], out segments[i], out error))
            {
                return false;
            }

            if (segments[i].Contains('/', StringComparison.Ordinal))
            {
                error = "a path segment contains an encoded '/'";
                return false;
            }

            if (!IsValidSegment(segments[i], out error))
            {
                return false;
            }
        }

        return Finish(segments, out path, out error);
    }

    /// <summary>The absolute file name under <paramref name="root"/>; throws if it would leave the root (it cannot, by construction).</summary>
    public string ToFullPath(string root)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var full = Path.GetFullPath(Path.Combine([fullRoot, .. Segments]));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("a storage path resolved outside the storage root");
        }

        return full;
    }

    public bool Equals(StoragePath? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as StoragePath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    private static bool Finish(string[] segments, out StoragePath path, out string error)
    {
        path = null!;
        if (segments.Length > MaxSegments)
        {
            error = $"the path has more than {MaxSegments} segments";
            return false;
        }

        var result = new StoragePath(segments);
        if (Encoding.UTF8.GetByteCount(result.Value) > MaxTotalBytes)
        {
            error = $"the path is longer than {MaxTotalBytes} bytes";
            return false;
        }

        path = result;
        error = string.Empty;
        return true;
    }

    private static bool IsValidSegment(string segment, out string error)
    {
        if (segment.Length == 0)
        {
            error = "the path has an empty segment";
        }
        else if (segment is "." or "..")
        {
            error = "the path contains '.' or '..'";
        }
        else if (segment.Contains('\\', StringComparison.Ordinal))
        {
            error = "the path contains a backslash";
        }
        else if (segment.Any(char.IsControl))
        {
            error = "the path contains a control character";
        }
        else if (segment.StartsWith(InternalPrefix, StringComparison.OrdinalIgnoreCase))
        {
            error = "the path names a reserved file";
        }
        else if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
        {
            error = $"a path segment is longer than {MaxSegmentBytes} bytes";
        }
        else
        {
            error = string.Empty;
            return true;
        }

        return false;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool TryDecodeSegment(string raw, out string decoded, out string error)
    {
        decoded = string.Empty;
        if (!raw.Contains('%', StringComparison.Ordinal))
        {
            decoded = raw;
            error = string.Empty;
            return true;
        }

        var bytes = new List<byte>(raw.Length);
        var literalStart = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '%')
            {
                continue;
            }

            // Characters between escapes are taken as UTF-8 text (a surrogate pair stays whole).
            bytes.AddRange(Encoding.UTF8.GetBytes(raw[literalStart..i]));
            if (i + 2 >= raw.Length || !Uri.IsHexDigit(raw[i + 1]) || !Uri.IsHexDigit(raw[i + 2]))
            {
                error = "the path has a malformed percent-encoding";
                return false;
            }

            bytes.Add(Convert.ToByte(raw.Substring(i + 1, 2), 16));
            i += 2;
            literalStart = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(raw[literalStart..]));

        try
        {
            decoded = StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            error = "the path is not valid UTF-8";
            return false;
        }

        error = string.Empty;
        return true;
    }
}
