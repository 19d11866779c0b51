using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Validation;

/// <summary>
/// <c>[validation]</c>: a file's type is what its first bytes say when they match a known
/// signature, and what it was declared as otherwise. <c>blocked_types</c> and
/// <c>allowed_types</c> are judged on that type, and with <c>check_magic_bytes</c> a file whose
/// bytes say something else than its declared type is refused. Runs on the whole upload's first
/// bytes, before it is committed.
/// </summary>
public sealed class ContentValidator(IOptionsMonitor<ValidationOptions> options)
{
    /// <summary>Declared types that say nothing about the content.</summary>
    private static readonly string[] Unspecific = ["application/octet-stream", "binary/octet-stream", "application/unknown", ""];

    /// <summary>Formats whose files are another format's container (a .docx is a zip, an .m4a an MP4).</summary>
    private static readonly Dictionary<string, string[]> Containers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/zip"] = ["application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.", "application/epub+zip",
            "application/java-archive", "application/vnd.android.package-archive", "application/x-zip-compressed", "application/x-xpinstall"],
        ["video/mp4"] = ["audio/mp4", "audio/x-m4a", "audio/aac", "video/x-m4v", "video/quicktime"],
        ["audio/mp4"] = ["video/mp4", "audio/x-m4a", "audio/aac"],
        ["video/webm"] = ["audio/webm", "video/x-matroska", "audio/x-matroska"],
        ["audio/ogg"] = ["video/ogg", "audio/opus", "application/ogg", "audio/vorbis"],
        ["audio/mpeg"] = ["audio/mp3", "audio/x-mpeg"],
        ["image/jpeg"] = ["image/jpg", "image/pjpeg"],
        ["audio/wav"] = ["audio/x-wav", "audio/wave", "audio/vnd.wave"],
        ["image/heic"] = ["image/heif", "image/heic-sequence", "image/heif-sequence"],
        ["application/x-ole-storage"] = ["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/vnd.ms-outlook"],
        ["application/vnd.microsoft.portable-executable"] = ["application/x-msdownload", "application/x-dosexec", "application/vnd.microsoft.portable-executable"],
        ["application/gzip"] = ["application/x-gzip", "application/x-tar+gzip", "application/x-compressed-tar"],
    };

    /// <summary>Types whose files always begin with their signature: declared so without it, a file is not what it says.</summary>
    private static readonly string[] SignedTypes = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf"];

    /// <summary>Whether any check applies (so callers need not read a file's head for nothing).</summary>
    public bool Active
    {
        get
        {
            var o = options.CurrentValue;
            return o.CheckMagicBytes || o.AllowedTypes.Count > 0 || o.BlockedTypes.Count > 0;
        }
    }

    /// <summary>Why a file with <paramref name="head"/> declared as <paramref name="declared"/> is refused, or null to accept it.</summary>
    public string? Check(string declared, ReadOnlySpan<byte> head)
    {
        var o = options.CurrentValue;
        var declaredType = declared.Split(';')[0].Trim().ToLowerInvariant();
        var detected = ContentSniffer.Detect(head);
        if (o.CheckMagicBytes && detected is not null && !Unspecific.Contains(declaredType) && !Compatible(declaredType, detected))
        {
            return $"the content is {detected}, not the declared {declaredType}";
        }

        if (o.CheckMagicBytes && detected is null && SignedTypes.Contains(declaredType))
        {
            return $"the content does not begin as {declaredType} does";
        }

        var type = detected ?? declaredType;
        if (o.BlockedTypes.FirstOrDefault(pattern => Matches(pattern, type)) is { } blocked)
        {
            return $"files of type {type} are not accepted here ({blocked} is blocked)";
        }

        if (o.AllowedTypes.Count > 0 && !o.AllowedTypes.Any(pattern => Matches(pattern, type)))
        {
            return $"files of type {(type.Length > 0 ? type : "unknown")} are not accepted here; accepted: {string.Join(", ", o.AllowedTypes)}";
        }

        return null;
    }

    private static bool Compatible(string declared, string detected) =>
        declared == detected
        || (Containers.TryGetValue(detected, out var members) && members.Any(m => m.EndsWith('.') ? declared.StartsWith(m, StringComparison.Ordinal) : declared == m));

    /// <summary>A pattern is a media type, or <c>type/*</c> for every subtype.</summary>
    private static bool Matches(string pattern, string type) =>
        pattern.EndsWith("/*", StringComparison.Ordinal)
            ? type.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, type, StringComparison.OrdinalIgnoreCase);
}
