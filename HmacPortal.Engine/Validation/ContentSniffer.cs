namespace HmacPortal.Engine.Validation;

/// <summary>
/// What a file's first bytes say it is: the signatures of the formats people send (images, audio,
/// video, documents, archives, executables). Text has no signature, so it is never detected.
/// </summary>
public static class ContentSniffer
{
    /// <summary>
    /// The detected media type, or null when the bytes match no known signature. Every signature is
    /// within the first <see cref="Storage.FileStore.HeadLength"/> bytes, which is what uploads show it.
    /// </summary>
    public static string? Detect(ReadOnlySpan<byte> head)
    {
        if (Starts(head, 0, [0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (Starts(head, 0, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (Starts(head, 0, "GIF87a"u8) || Starts(head, 0, "GIF89a"u8))
        {
            return "image/gif";
        }

        if (Starts(head, 0, "RIFF"u8) && head.Length >= 12)
        {
            return Starts(head, 8, "WEBP"u8) ? "image/webp" : Starts(head, 8, "WAVE"u8) ? "audio/wav" : Starts(head, 8, "AVI "u8) ? "video/x-msvideo" : null;
        }

        if (Starts(head, 0, "BM"u8) && head.Length >= 26)
        {
            return "image/bmp";
        }

        if (Starts(head, 4, "ftyp"u8) && head.Length >= 12)
        {
            return Brand(head.Slice(8, 4));
        }

        if (Starts(head, 0, [0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "video/webm";
        }

        if (Starts(head, 0, "OggS"u8))
        {
            return "audio/ogg";
        }

        if (Starts(head, 0, "fLaC"u8))
        {
            return "audio/flac";
        }

        if (Starts(head, 0, "ID3"u8) || (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE6) == 0xE2))
        {
            return "audio/mpeg";
        }

        if (Starts(head, 0, "#!AMR"u8))
        {
            return "audio/amr";
        }

        if (Starts(head, 0, "%PDF-"u8))
        {
            return "application/pdf";
        }

        if (Starts(head, 0, [(byte)'P', (byte)'K', 0x03, 0x04]) || Starts(head, 0, [(byte)'P', (byte)'K', 0x05, 0x06]))
        {
            return "application/zip";
        }

        if (Starts(head, 0, [0x1F, 0x8B]))
        {
            return "application/gzip";
        }

        if (Starts(head, 0, [(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C]))
        {
            return "application/x-7z-compressed";
        }

        if (Starts(head, 0, "Rar!"u8))
        {
            return "application/vnd.rar";
        }

        if (Starts(head, 0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return "application/x-ole-storage";
        }

        if (Starts(head, 0, "MZ"u8))
        {
            return "application/vnd.microsoft.portable-executable";
        }

        if (Starts(head, 0, [0x7F, (byte)'E', (byte)'L', (byte)'F']))
        {
            return "application/x-executable";
        }

        if (head.Length >= 262 && Starts(head, 257, "ustar"u8))
        {
            return "application/x-tar";
        }

        return null;
    }

    /// <summary>The ISO base media file format's brands (MP4, QuickTime, 3GP, HEIF, AVIF).</summary>
    private static string Brand(ReadOnlySpan<byte> brand) => brand switch
    {
        _ when brand.SequenceEqual("qt  "u8) => "video/quicktime",
        _ when brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) => "audio/mp4",
        _ when brand.StartsWith("3g"u8) => "video/3gpp",
        _ when brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8) => "image/avif",
        _ when brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8) => "image/heic",
        _ => "video/mp4",
    };

    private static bool Starts(ReadOnlySpan<byte> head, int offset, ReadOnlySpan<byte> signature) =>
        head.Length >= offset + signature.Length && head.Slice(offset, signature.Length).SequenceEqual(signature);
}
