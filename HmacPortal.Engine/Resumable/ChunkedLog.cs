using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Resumable;

/// <summary>Log events of the chunked API (event ids 2150-2169). Session ids are capabilities: only their first 8 characters are logged.</summary>
internal static partial class ChunkedLog
{
    [LoggerMessage(2150, LogLevel.Information, "Chunked upload {Id} opened for {Target} ({Length} bytes in {Chunks} chunks) from {Client}")]
    public static partial void Created(ILogger logger, string id, string target, long length, int chunks, string? client);

    [LoggerMessage(2151, LogLevel.Warning, "Chunked upload {Id}: {Result} ({Detail})")]
    public static partial void Refused(ILogger logger, string id, TusResult result, string detail);
}
