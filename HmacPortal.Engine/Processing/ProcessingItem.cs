namespace HmacPortal.Engine.Processing;

/// <summary>A stored file waiting for post-processing: its path and when it was queued.</summary>
public sealed record ProcessingItem(string Path, DateTimeOffset Enqueued);
