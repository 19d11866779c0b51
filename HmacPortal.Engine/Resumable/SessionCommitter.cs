using System.Security.Cryptography;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// The end of every session-based upload (tus and the chunked API): the whole data file is cut to
/// its length, hashed (from the running hash when it covers every byte), checked against a
/// declared <c>sha256</c>, renamed without overwrite into storage and recorded, exactly as a PUT
/// commits. Not cancellable: a whole upload is never thrown away because its client went away.
/// </summary>
public sealed class SessionCommitter(
    SessionStore sessions,
    RunningHashes hashes,
    FileStore files,
    StorageLayout layout,
    UploadRecorder recorder,
    Telemetry.TransferMonitor transfers,
    Validation.ContentValidator validator,
    ILogger<SessionCommitter> logger)
{
    /// <summary>Commits <paramref name="session"/>, which must be whole; the session is removed when the commit is refused.</summary>
    public async Task<TusOutcome> CommitAsync(UploadId id, UploadSession session, string protocol)
    {
        var length = session.Length ?? throw new ArgumentException("only an upload of known length can be committed", nameof(session));
        var data = sessions.DataPath(id);
        var running = hashes.For(id, length);
        string sha;
        string? refusal = null;
        await using (var stream = new FileStream(data, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.SequentialScan))
        {
            // Bytes past the length can only be leftovers of a write cut off before a crash.
            stream.SetLength(length);
            if (validator.Active)
            {
                var head = new byte[FileStore.HeadLength];
                var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false).ConfigureAwait(false);
                refusal = validator.Check(session.ContentType, head.AsSpan(0, read));
                stream.Position = 0;
            }

            sha = refusal is not null ? string.Empty
                : running is { Position: > 0 } ? running.Finish() : Convert.ToHexStringLower(await SHA256.HashDataAsync(stream).ConfigureAwait(false));
            stream.Flush(flushToDisk: true);
        }

        hashes.Drop(id);

        if (refusal is not null)
        {
            sessions.Delete(id);
            return Refuse(id, TusResult.TypeNotAccepted, $"{refusal}; the upload was discarded");
        }

        if (session.Metadata.GetValueOrDefault("sha256") is { } declared && !declared.Equals(sha, StringComparison.OrdinalIgnoreCase))
        {
            sessions.Delete(id);
            return Refuse(id, TusResult.ChecksumMismatch, "the finished file does not match the sha256 given in Upload-Metadata; the upload was discarded");
        }

        if (!StoragePath.TryCreate(session.TargetPath, out var target, out var error))
        {
            sessions.Delete(id);
            return Refuse(id, TusResult.BadRequest, error);
        }

        var stored = layout.Locate(target);
        if (files.Commit(data, stored) == FileWriteStatus.Exists)
        {
            sessions.Delete(id);
            return Refuse(id, TusResult.Exists, "a file was stored at this path meanwhile");
        }

        try
        {
            await recorder.RecordAsync(target, stored, length, sha, session.ContentType, session.Owner, protocol, session.ClientAddress, session.FileExpires)
                .ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            // No file without its record: the bytes go back to the session, whole, and the next
            // request for it (a HEAD, the last PATCH again, or the last chunk again) commits them.
            var backInSession = NoReplaceRename.TryMove(stored.ToFullPath(files.Root), data);
            UploadLog.Unrecorded(logger, session.TargetPath, ex.Message);
            if (!backInSession)
            {
                files.Delete(stored);
                sessions.Delete(id);
            }

            return new TusOutcome(TusResult.DatabaseUnavailable, "the database that records files is unreachable; the upload is kept and finishes when it is retried")
            {
                Wait = ex is Metadata.DatabaseUnavailableException unavailable ? unavailable.RetryAfter : TimeSpan.FromSeconds(5),
            };
        }

        transfers.UploadStored(session.TargetPath);
        session = session with { Completed = true };
        sessions.Finish(session);
        return new TusOutcome(TusResult.Written, Session: session);
    }

    private TusOutcome Refuse(UploadId id, TusResult result, string detail)
    {
        TusLog.Refused(logger, id.Logged, result, detail);
        return new TusOutcome(result, detail);
    }
}
