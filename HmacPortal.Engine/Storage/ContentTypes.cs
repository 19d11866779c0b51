namespace HmacPortal.Engine.Storage;

/// <summary>Media types by file name, for files that arrived without a usable Content-Type.</summary>
public static class ContentTypes
{
    public const string OctetStream = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".heic"] = "image/heic", [".heif"] = "image/heif", [".avif"] = "image/avif",
        [".bmp"] = "image/bmp", [".svg"] = "image/svg+xml", [".ico"] = "image/x-icon", [".tif"] = "image/tiff", [".tiff"] = "image/tiff",
        [".mp4"] = "video/mp4", [".m4v"] = "video/mp4", [".webm"] = "video/webm", [".mov"] = "video/quicktime",
        [".mkv"] = "video/x-matroska", [".3gp"] = "video/3gpp", [".avi"] = "video/x-msvideo",
        [".mp3"] = "audio/mpeg", [".m4a"] = "audio/mp4", [".aac"] = "audio/aac", [".ogg"] = "audio/ogg", [".oga"] = "audio/ogg",
        [".opus"] = "audio/opus", [".wav"] = "audio/wav", [".flac"] = "audio/flac", [".amr"] = "audio/amr",
        [".txt"] = "text/plain", [".log"] = "text/plain", [".md"] = "text/markdown", [".csv"] = "text/csv",
        [".html"] = "text/html", [".htm"] = "text/html", [".css"] = "text/css", [".js"] = "text/javascript",
        [".json"] = "application/json", [".xml"] = "application/xml", [".pdf"] = "application/pdf",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".tar"] = "application/x-tar", [".7z"] = "application/x-7z-compressed",
        [".apk"] = "application/vnd.android.package-archive", [".vcf"] = "text/vcard", [".ics"] = "text/calendar",
        [".doc"] = "application/msword", [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };

    public static string FromFileName(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var type) ? type : OctetStream;

    /// <summary>
    /// Types shown inline in a browser. Everything else (HTML, SVG, scripts, unknown) is sent as an
    /// attachment, so an uploaded file can never run as a page of this site.
    /// </summary>
    public static bool IsSafeInline(string contentType)
    {
        var media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        return media == "text/plain"
            || (media.StartsWith("image/", StringComparison.Ordinal) && media != "image/svg+xml")
            || media.StartsWith("video/", StringComparison.Ordinal)
            || media.StartsWith("audio/", StringComparison.Ordinal);
    }
}
