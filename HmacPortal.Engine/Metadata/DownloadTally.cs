namespace HmacPortal.Engine.Metadata;

/// <summary>Downloads of one file counted since the last flush.</summary>
public sealed record DownloadTally(string Path, long Count, DateTimeOffset Last);
