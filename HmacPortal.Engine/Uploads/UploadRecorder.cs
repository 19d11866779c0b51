using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Uploads;

/// <summary>
/// The last step every upload path shares (PUT, resumable): the bytes are committed under their
/// final name; now record them and queue their post-processing. Not cancellable: a file on disk
/// must not be left unrecorded because its client went away.
/// </summary>
public sealed class UploadRecorder(
    IMetadataStore metadata,
    Processing.ProcessingQueue processing,
    Processing.IFileProcessor processor,
    TimeProvider clock,
    ILogger<UploadRecorder> logger,
    Audit.AuditTrail? audit = null)
{
    public async Task<FileRecord> RecordAsync(
        StoragePath requested,
        StoragePath stored,
        long size,
        string? sha256,
        string contentType,
        string? owner,
        string protocol,
        string? clientAddress,
        DateTimeOffset? expires)
    {
        var now = clock.GetUtcNow();
        var record = new FileRecord(requested.Value, stored.Value, size, contentType, sha256, owner, protocol, clientAddress, now, expires);

        // A file nothing is owed to (no scanning, not deduplicated, no thumbnail) is recorded as processed, and not queued.
        var owed = processor.IsOwed(record);
        record = owed ? record : record with { Processed = now };
        await metadata.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
        UploadLog.Stored(logger, record.Path, record.Size, record.Protocol, record.ClientAddress);
        audit?.Note("upload.stored", record.Owner ?? "anonymous", record.ClientAddress, record.Path, $"{record.Size} bytes via {record.Protocol}");
        if (owed)
        {
            processing.Enqueue(record.Path);
        }

        return record;
    }
}
