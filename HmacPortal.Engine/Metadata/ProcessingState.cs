namespace HmacPortal.Engine.Metadata;

/// <summary>What post-processing did to a file, recorded when it finished.</summary>
public sealed record ProcessingState(DateTimeOffset At, string? Scan, bool Deduplicated, bool HasThumbnail);
