using System.Globalization;
using HmacPortal.Engine.Configuration;

namespace HmacPortal.Components.Shared;

/// <summary>How sizes, rates, times and durations are written on the portal's and console's pages.</summary>
public static class Display
{
    public static string Size(long bytes) => new ByteSize(bytes).ToDisplayString();

    public static string Rate(double bytesPerSecond) => $"{new ByteSize((long)bytesPerSecond).ToDisplayString()}/s";

    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A stored file's download URL under the upload prefix, each segment escaped.</summary>
    public static string FileUrl(string uploadPrefix, string path) =>
        uploadPrefix + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{Math.Max(1, (int)Math.Ceiling(span.TotalSeconds))} s";
}
