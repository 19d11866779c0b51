namespace HmacPortal.Engine.Resumable;

/// <summary>A request of the chunked API that carries one chunk.</summary>
public sealed record ChunkRequest(string? SessionId, string? ChunkNumber, long? ContentLength, string? ClientAddress);
