using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace HmacPortal.Engine.Thumbnails;

/// <summary>
/// Small JPEG previews of stored images (XEP-0385 SIMS), served with <c>?thumbnail=true</c>. An
/// image's size is read from its header before any pixel is decoded, and one with more than
/// <c>max_pixels</c> gets none; JPEGs are decoded straight at a reduced scale, so memory stays
/// small whatever the image. Thumbnails live under an internal name of the storage root, keyed by
/// the stored file's path, are written atomically and go with their file.
/// </summary>
public sealed class ThumbnailStore(
    IOptionsMonitor<ThumbnailsOptions> options,
    IOptionsMonitor<ServerOptions> server,
    ILogger<ThumbnailStore> logger)
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-thumbs";
    public const string ContentType = "image/jpeg";
    private const int Quality = 80;

    /// <summary>The types a thumbnail is made for (what the decoder reads).</summary>
    private static readonly string[] ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"];

    public bool Enabled => options.CurrentValue.Enabled;

    public string Root => Path.Combine(server.CurrentValue.StoragePath, DirectoryName);

    public string PathOf(StoragePath stored)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stored.Value)));
        return Path.Combine(Root, key[..2], key + ".jpg");
    }

    /// <summary>The thumbnail of the stored file, if it has one.</summary>
    public FileInfo? Find(StoragePath stored)
    {
        var file = new FileInfo(PathOf(stored));
        return file.Exists ? file : null;
    }

    public static bool IsImage(string contentType) =>
        ImageTypes.Contains(contentType.Split(';')[0].Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes the thumbnail of the stored file; false when it gets none (not an image, too many pixels, undecodable, off).</summary>
    public bool Make(StoragePath stored, string contentType, CancellationToken cancellationToken)
    {
        var limits = options.CurrentValue;
        if (!limits.Enabled || !IsImage(contentType))
        {
            return false;
        }

        var source = stored.ToFullPath(server.CurrentValue.StoragePath);
        using var bitmap = Decode(source, stored.Value, limits);
        if (bitmap is null)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, Quality);
        var target = PathOf(stored);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                data.SaveTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return true;
    }

    /// <summary>Removes the stored file's thumbnail, if any.</summary>
    public void Delete(StoragePath stored)
    {
        try
        {
            File.Delete(PathOf(stored));
        }
        catch (DirectoryNotFoundException)
        {
            // No thumbnail was ever made in its directory.
        }
    }

    /// <summary>Decodes the image at a scale near the thumbnail's, oriented as its EXIF says; null when it gets no thumbnail.</summary>
    private SKBitmap? Decode(string source, string path, ThumbnailsOptions limits)
    {
        using var stream = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var codec = SKCodec.Create(stream);
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0)
        {
            ThumbnailLog.NotDecodable(logger, path);
            return null;
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if ((long)width * height > limits.MaxPixels)
        {
            ThumbnailLog.TooManyPixels(logger, path, width, height, limits.MaxPixels);
            return null;
        }

        var scale = Math.Min(1f, (float)limits.Size / Math.Max(width, height));
        var decodeSize = codec.GetScaledDimensions(scale);
        var info = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            ThumbnailLog.NotDecodable(logger, path);
            return null;
        }

        var targetWidth = Math.Max(1, (int)Math.Round(width * scale));
        var targetHeight = Math.Max(1, (int)Math.Round(height * scale));
        using var resized = decoded.Resize(new SKImageInfo(targetWidth, targetHeight, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        return resized is null ? null : Orient(resized, codec.EncodedOrigin);
    }

    /// <summary>
    /// Draws the decoded image on white (a JPEG has no transparency), turned the way its EXIF
    /// orientation says it is meant to be seen.
    /// </summary>
    private static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        var quarterTurns = origin switch
        {
            SKEncodedOrigin.RightTop => 1,
            SKEncodedOrigin.BottomRight => 2,
            SKEncodedOrigin.LeftBottom => 3,
            _ => 0,
        };
        var swap = quarterTurns % 2 == 1;
        var turned = new SKBitmap(new SKImageInfo(swap ? bitmap.Height : bitmap.Width, swap ? bitmap.Width : bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(turned);
        canvas.Clear(SKColors.White);
        canvas.Translate(turned.Width / 2f, turned.Height / 2f);
        canvas.RotateDegrees(90 * quarterTurns);
        canvas.Translate(-bitmap.Width / 2f, -bitmap.Height / 2f);
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        canvas.Flush();
        return turned;
    }
}
