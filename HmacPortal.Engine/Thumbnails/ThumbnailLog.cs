using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Thumbnails;

/// <summary>Log events of thumbnails (event ids 2920-2939).</summary>
internal static partial class ThumbnailLog
{
    [LoggerMessage(2920, LogLevel.Information, "No thumbnail for {Path}: {Width}x{Height} is more than max_pixels ({MaxPixels})")]
    public static partial void TooManyPixels(ILogger logger, string path, int width, int height, long maxPixels);

    [LoggerMessage(2921, LogLevel.Information, "No thumbnail for {Path}: it is not an image that can be decoded")]
    public static partial void NotDecodable(ILogger logger, string path);
}
