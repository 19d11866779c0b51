using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// tus 1.0.0 resumable uploads on the durable <see cref="SessionStore"/>: creation (with upload and
/// deferred length), HEAD, PATCH with takeover of a stale writer, checksum, expiration and
/// termination. A finished upload is committed like a PUT: renamed without overwrite into storage
/// and recorded.
/// </summary>
public sealed class TusService(
    SessionStore sessions,
    UploadWriters writers,
    RunningHashes hashes,
    SessionFlushes flushes,
    FileStore files,
    SessionCommitter committer,
    UploadLimits limits,
    SignatureVerifier verifier,
    Protection.BanList bans,
    Quotas.QuotaLedger quotas,
    Quotas.QuotaPolicy quotaPolicy,
    Telemetry.TransferMonitor transfers,
    IOptionsMonitor<ServerOptions> server,
    IOptionsMonitor<UploadsOptions> uploads,
    TimeProvider clock,
    Identity.OwnerResolver owners,
    Protection.OwnerRateLimiter ownerLimits,
    ILogger<TusService> logger)
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration,concatenation";
    public const string OffsetContentType = "application/offset+octet-stream";

    /// <summary>How long an expired upload is remembered (answering 410, not 404) before it is removed.</summary>
    public static readonly TimeSpan ExpiredRetention = TimeSpan.FromDays(1);

    /// <summary>How much written data may pile up before its writeback to disk is started.</summary>
    private const long WritebackChunk = 2L << 20;

    /// <summary>While a PATCH without a checksum streams, a progress record is written this often.</summary>
    private const long RecordEvery = 8L << 20;

    public bool Enabled => uploads.CurrentValue.ResumableUploadsEnabled;

    public long MaxSize => server.CurrentValue.MaxUploadSize.Bytes;

    /// <summary>Creates an upload; one of length 0 is complete at once (no PATCH will come) and is committed here.</summary>
    public async Task<TusOutcome> CreateAsync(TusCreateRequest request)
    {
        if (request.UploadConcat is { } concat && concat.StartsWith("final;", StringComparison.Ordinal))
        {
            return await CreateFinalAsync(request, concat).ConfigureAwait(false);
        }

        if (request.UploadConcat is not (null or "partial"))
        {
            return Refuse(null, TusResult.BadRequest, "Upload-Concat must be 'partial' or 'final;<upload URLs>'");
        }

        var created = await CreateAsync(request, null).ConfigureAwait(false);
        if (created is not { Result: TusResult.Created, Session: { IsComplete: true } session })
        {
            return created;
        }

        var completed = await CompleteAsync(UploadId.TryParse(session.Id, out var id) ? id : default, session).ConfigureAwait(false);
        return completed.Result == TusResult.Written ? created with { Session = completed.Session } : completed;
    }

    private async Task<TusOutcome> CreateAsync(TusCreateRequest request, long? finalLength)
    {
        if (bans.Find(request.ClientAddress) is { } ban)
        {
            return Refuse(null, TusResult.Forbidden, $"this address is banned until {ban.Until:u} after repeated signature failures");
        }

        var partial = request.UploadConcat == "partial";
        long? length = finalLength;
        if (finalLength is not null)
        {
            if (request.UploadLength is not null)
            {
                return Refuse(null, TusResult.BadRequest, "a final upload's length is the sum of its parts; send no Upload-Length");
            }
        }
        else if (request.UploadLength is not null)
        {
            if (request.UploadDeferLength is not null)
            {
                return Refuse(null, TusResult.BadRequest, "send Upload-Length or Upload-Defer-Length, not both");
            }

            if (!TryParseLength(request.UploadLength, out var parsed))
            {
                return Refuse(null, TusResult.BadRequest, "Upload-Length must be a non-negative whole number");
            }

            length = parsed;
        }
        else if (request.UploadDeferLength != "1")
        {
            return Refuse(null, TusResult.BadRequest, "Upload-Length (or Upload-Defer-Length: 1) is required");
        }

        if (!TusMetadata.TryParse(request.UploadMetadata, out var metadata, out var error))
        {
            return Refuse(null, TusResult.BadRequest, error);
        }

        var name = metadata.GetValueOrDefault("filename") ?? metadata.GetValueOrDefault("name") ?? "upload.bin";
        if (!StoragePath.TryCreate(name, out var namePath, out error) || namePath.Segments.Count != 1)
        {
            return Refuse(null, TusResult.BadRequest, $"the file name is not acceptable: {(error.Length > 0 ? error : "it contains '/'")}");
        }

        var id = UploadId.New();
        var maxLength = server.CurrentValue.MaxUploadSize.Bytes;
        string target;
        string? owner = null;
        string? grantedType = null;
        DateTimeOffset? fileExpires = null;
        long? quota = null;
        if (request.BearerToken is { } token)
        {
            var (check, grant) = verifier.ReadGrant(token);
            if (grant is null)
            {
                if (check.Status == SignatureStatus.TokenInvalid)
                {
                    bans.RecordSignatureFailure(request.ClientAddress);
                }

                return Refuse(id, check.Status == SignatureStatus.TokenExpired ? TusResult.Gone : TusResult.Unauthorized, check.Detail);
            }

            // A part is checked against the grant's size only; the final upload is checked in full.
            if (!partial && grant.FileName != name)
            {
                return Refuse(id, TusResult.Forbidden, "the token is for another file name");
            }

            if (length is { } declared && (partial ? declared > grant.FileSize : declared != grant.FileSize))
            {
                return Refuse(id, TusResult.TooLarge, "Upload-Length differs from the token's filesize");
            }

            maxLength = Math.Min(maxLength, grant.FileSize);
            target = $"{grant.Slot}/{name}";
            (owner, grantedType, fileExpires, quota) = (grant.Subject, grant.FileType, grant.FileExpiresAt, grant.Quota);

        }
        else if (uploads.CurrentValue.AnonymousResumable)
        {
            // A random directory of its own: the file's public URL must not reveal the upload's id,
            // which is the capability to write to or delete the upload.
            target = $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}/{name}";
            owner = owners.ByAddress(request.ClientAddress);
        }
        else
        {
            return Refuse(id, TusResult.Unauthorized, "a resumable upload needs an upload token (Authorization: Bearer)");
        }

        // A grant that names no quota of its own (an XMPP server's) is held to the owner's configured one.
        quota ??= quotaPolicy.Enabled && owner is not null ? quotaPolicy.LimitFor(owner).Bytes : null;
        if (ownerLimits.TryAcquire(owner) is { } wait)
        {
            return RateLimited(id, wait);
        }

        if (!StoragePath.TryCreate(target, out var targetPath, out error))
        {
            return Refuse(id, TusResult.BadRequest, error);
        }

        var (breach, detail) = limits.Check(targetPath, length, partial);
        if (breach != LimitBreach.None)
        {
            return Refuse(id, LimitResults.Of(breach), detail);
        }

        var now = clock.GetUtcNow();
        var session = new UploadSession
        {
            Id = id.Value,
            Length = length,
            Metadata = metadata,
            RawMetadata = request.UploadMetadata,
            TargetPath = targetPath.Value,
            Owner = owner,
            ClientAddress = request.ClientAddress,
            ContentType = grantedType ?? metadata.GetValueOrDefault("filetype") ?? metadata.GetValueOrDefault("type") ?? ContentTypes.FromFileName(name),
            MaxLength = maxLength,
            Created = now,
            Expires = now + uploads.CurrentValue.SessionTimeout,
            FileExpires = fileExpires,
            IsPartial = partial,
            Concat = finalLength is null ? null : request.UploadConcat,
        };
        if (quota is { } limit)
        {
            var (fits, left) = await quotas.ReserveAsync(owner!, limit, length ?? maxLength, () => sessions.Create(session), CancellationToken.None).ConfigureAwait(false);
            if (!fits)
            {
                return Refuse(id, TusResult.QuotaExceeded, $"this upload needs {length ?? maxLength} bytes but only {left} are left in the quota");
            }
        }
        else
        {
            sessions.Create(session);
        }

        TusLog.Created(logger, id.Logged, session.TargetPath, length?.ToString(CultureInfo.InvariantCulture) ?? "deferred", request.ClientAddress);
        return new TusOutcome(TusResult.Created, Session: session);
    }

    /// <summary>Every unfinished upload, for the admin console, oldest first.</summary>
    public IReadOnlyList<UploadSession> ListOpen() =>
        sessions.List().Select(sessions.Get).OfType<UploadSession>().Where(s => !s.Completed).OrderBy(s => s.Created).ToList();

    /// <summary>When a session-based upload (tus or the chunked API) last received data (its expiry is pushed forward by every write).</summary>
    public DateTimeOffset LastActivity(UploadSession session) => session.Expires - uploads.CurrentValue.SessionTimeout;

    /// <summary>
    /// The upload's state. An upload that has every byte but is not committed yet (its commit found
    /// the database unreachable, or the process stopped in between) is committed now, since a
    /// client that sees its whole length sends nothing more.
    /// </summary>
    public async Task<TusOutcome> HeadAsync(UploadId id, CancellationToken cancellationToken)
    {
        if (Load(id, out var session) is { } missing)
        {
            return missing;
        }

        if (!AwaitsCommit(session))
        {
            return new TusOutcome(TusResult.Found, Session: session);
        }

        using var lease = await writers.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        if (Load(id, out session) is { } gone)
        {
            return gone;
        }

        if (!AwaitsCommit(session))
        {
            return new TusOutcome(TusResult.Found, Session: session);
        }

        var committed = await committer.CommitAsync(id, session, "tus").ConfigureAwait(false);
        return committed is { Result: TusResult.Written, Session: { } done } ? new TusOutcome(TusResult.Found, Session: done) : committed;
    }

    private static bool AwaitsCommit(UploadSession session) =>
        session is { IsComplete: true, Completed: false, IsPartial: false, Concat: null };

    /// <summary>Appends a PATCH body (or a creation-with-upload body) at the stored offset.</summary>
    public async Task<TusOutcome> PatchAsync(UploadId id, TusPatchRequest request, PipeReader body, CancellationToken cancellationToken)
    {
        if (!IsOffsetContent(request.ContentType))
        {
            return Refuse(id, TusResult.WrongContentType, $"a PATCH body must be {OffsetContentType}");
        }

        if (!TryParseLength(request.UploadOffset, out var offset))
        {
            return Refuse(id, TusResult.BadRequest, "Upload-Offset must be a non-negative whole number");
        }

        HashAlgorithmName? algorithm = null;
        var expected = Array.Empty<byte>();
        if (request.UploadChecksum is { } checksum)
        {
            if (!TusChecksum.TryParse(checksum, out var parsed, out expected, out var error))
            {
                return Refuse(id, TusResult.BadRequest, error);
            }

            algorithm = parsed;
        }

        using var lease = await writers.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        if (Load(id, out var session) is { } missing)
        {
            return missing;
        }

        if (ownerLimits.TryAcquire(session.Owner) is { } wait)
        {
            return RateLimited(id, wait);
        }

        if (session.Concat is not null)
        {
            return Refuse(id, TusResult.Forbidden, "a final upload is made of its parts and takes no PATCH");
        }

        if (session.Completed)
        {
            return Refuse(id, TusResult.Forbidden, "the upload is already complete");
        }

        if (offset != session.Offset)
        {
            return new TusOutcome(TusResult.OffsetMismatch, $"the upload is at offset {session.Offset}", session);
        }

        if (request.UploadLength is not null)
        {
            if (!TryParseLength(request.UploadLength, out var declared) || declared < session.Offset || (session.Length is { } known && known != declared))
            {
                return Refuse(id, TusResult.BadRequest, "Upload-Length does not fit this upload");
            }

            if (declared > session.MaxLength)
            {
                return Refuse(id, TusResult.TooLarge, "Upload-Length is larger than allowed");
            }

            session = sessions.Checkpoint(session with { Length = declared });
        }

        var limit = session.Length ?? session.MaxLength;
        var written = await AppendAsync(id, session, body, limit, algorithm, expected, lease.Token).ConfigureAwait(false);
        session = written.Session ?? session;
        if (written.Result != TusResult.Written || !session.IsComplete)
        {
            return written;
        }

        return await CompleteAsync(id, session).ConfigureAwait(false);
    }

    private async Task<TusOutcome> AppendAsync(
        UploadId id, UploadSession session, PipeReader body, long limit, HashAlgorithmName? algorithm, byte[] expected, CancellationToken cancellationToken)
    {
        using var hash = algorithm is { } a ? IncrementalHash.CreateHash(a) : null;
        var running = hashes.For(id, session.Offset);
        var start = session.Offset;
        var recorded = start;
        await using var file = new FileStream(sessions.DataPath(id), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, BufferSize = 0 });
        if (session.Length is { } length && !MakeRoom(file, start, length))
        {
            return Refuse(id, TusResult.InsufficientStorage, "the server does not have enough free space for the rest of this file");
        }

        using var transfer = transfers.BeginUpload("tus", session.TargetPath, session.ClientAddress, session.Length, session.Offset);
        try
        {
            file.Position = start;
            var copy = await BodyCopier.CopyAsync(
                body,
                file,
                limit - start,
                BodyCopier.GoesDirect(limit),
                WritebackChunk,
                block =>
                {
                    hash?.AppendData(block);
                    running?.Append(block);
                },
                // Without a checksum every byte counts as it arrives: the records keep up as it goes.
                written => hash is null ? KeepUpAsync(start + written, ending: false) : ValueTask.CompletedTask,
                transfer.Add,
                cancellationToken).ConfigureAwait(false);

            if (copy.Stop == BodyCopyStop.TooLong)
            {
                hashes.Drop(id);
                return Refuse(id, TusResult.BadRequest, "the data runs past the upload's length");
            }

            var interrupted = copy.Stop == BodyCopyStop.Interrupted;
            if (hash is not null)
            {
                // A chunk with a checksum counts only whole and verified; otherwise it is discarded.
                if (interrupted)
                {
                    hashes.Drop(id);
                    return new TusOutcome(TusResult.Interrupted, "the chunk was interrupted and discarded", session);
                }

                if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expected))
                {
                    hashes.Drop(id);
                    return new TusOutcome(TusResult.ChecksumMismatch, "the chunk does not match Upload-Checksum and was discarded", session);
                }
            }

            await KeepUpAsync(start + copy.Written, ending: true).ConfigureAwait(false);
            if (interrupted)
            {
                TusLog.Interrupted(logger, id.Logged, session.Offset);
                return new TusOutcome(TusResult.Interrupted, "the request ended early; the bytes received are kept", session);
            }

            return new TusOutcome(TusResult.Written, Session: session);
        }
        catch (IOException ex) when (FileStore.IsNoSpace(ex))
        {
            hashes.Drop(id);
            MakeDurable(file, ref session, recorded);
            return Refuse(id, TusResult.InsufficientStorage, "the server ran out of space; the bytes before it are kept");
        }

        // Keeps the records up with the first `position` bytes, all written: records a flush that has
        // finished (waiting for it when the upload ran too far ahead), starts the next, and records
        // progress every RecordEvery bytes and at the end of the request.
        async ValueTask KeepUpAsync(long position, bool ending)
        {
            var durable = position - session.FlushedOffset >= flushes.MostUnflushed
                ? await flushes.WaitAsync(id).ConfigureAwait(false)
                : flushes.TakeFinished(id);
            if (durable > session.FlushedOffset)
            {
                // The sidecar now names the flushed bytes; the progress past them is recorded after it.
                session = sessions.Save(session with { Offset = durable.Value, Expires = clock.GetUtcNow() + uploads.CurrentValue.SessionTimeout });
                recorded = RecordProgress(file, ref session, position);
            }

            if (position - session.FlushedOffset >= flushes.Every)
            {
                flushes.TryStart(id, sessions.DataPath(id), position);
            }

            if (position - recorded >= RecordEvery || (ending && position != recorded))
            {
                recorded = RecordProgress(file, ref session, position);
            }
        }
    }

    /// <summary>
    /// Whether the volume has room for the rest of the upload (past <paramref name="offset"/>) and
    /// <c>min_free_bytes</c> besides, counting what an earlier request already reserved for it; a
    /// large rest is then reserved in the file, so concurrent uploads see the space as taken and
    /// the disk writes land in room already allocated. The reservation is used by the upload's
    /// last bytes, or freed with the upload's data when it is terminated or expires.
    /// </summary>
    private bool MakeRoom(FileStream file, long offset, long length)
    {
        var rest = length - offset;
        var needed = rest - NativeFile.AllocatedPast(file.SafeFileHandle, offset);
        if (needed > 0 && files.Volume().FreeBytes - needed < server.CurrentValue.MinFreeBytes.Bytes)
        {
            return false;
        }

        return rest <= BodyCopier.BufferSize || NativeFile.ReserveAhead(file.SafeFileHandle, offset, rest) == 0;
    }

    /// <summary>Flushes the data to disk now, then saves the new offset: the sidecar never names bytes that are not on disk.</summary>
    private long MakeDurable(FileStream file, ref UploadSession session, long position)
    {
        file.Flush(flushToDisk: true);
        session = sessions.Save(session with { Offset = position, Expires = clock.GetUtcNow() + uploads.CurrentValue.SessionTimeout });
        return position;
    }

    /// <summary>Records the new offset of bytes written but not flushed: a restart of the process resumes from it, a reboot from the sidecar.</summary>
    private long RecordProgress(FileStream file, ref UploadSession session, long position)
    {
        session = sessions.SaveProgress(session with { Offset = position, Expires = clock.GetUtcNow() + uploads.CurrentValue.SessionTimeout }, file);
        return position;
    }

    private async Task<TusOutcome> CompleteAsync(UploadId id, UploadSession session)
    {
        // The commit flushes every byte itself; a flush still running beside the transfer is waited out, not raced.
        await flushes.WaitAsync(id).ConfigureAwait(false);
        if (session.IsPartial)
        {
            // A whole part is used as it is by the final upload: its bytes are flushed first.
            session = sessions.Checkpoint(session with { Completed = true });
            return new TusOutcome(TusResult.Written, Session: session);
        }

        return await committer.CommitAsync(id, session, "tus").ConfigureAwait(false);
    }

    /// <summary>
    /// concatenation: creates the final upload from whole partial uploads (in the order given),
    /// streams their bytes into one file and commits it; the parts are removed afterwards.
    /// </summary>
    private async Task<TusOutcome> CreateFinalAsync(TusCreateRequest request, string concat)
    {
        var parts = new List<(UploadId Id, UploadSession Session)>();
        foreach (var url in concat["final;".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var last = url.TrimEnd('/').Split('/')[^1];
            if (!UploadId.TryParse(last, out var partId) || Load(partId, out var part) is not null || !part.IsPartial)
            {
                return Refuse(null, TusResult.BadRequest, $"'{url}' is not a partial upload of this server");
            }

            if (!part.Completed)
            {
                return Refuse(null, TusResult.BadRequest, $"the partial upload '{url}' is not complete");
            }

            parts.Add((partId, part));
        }

        if (parts.Count == 0)
        {
            return Refuse(null, TusResult.BadRequest, "Upload-Concat: final needs at least one partial upload");
        }

        var created = await CreateAsync(request, parts.Sum(p => p.Session.Length!.Value)).ConfigureAwait(false);
        if (created is not { Result: TusResult.Created, Session: { } session } || !UploadId.TryParse(session.Id, out var id))
        {
            return created;
        }

        await using (var target = new FileStream(sessions.DataPath(id), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, BufferSize = 1 << 20 }))
        {
            foreach (var (partId, _) in parts)
            {
                await using var source = new FileStream(sessions.DataPath(partId), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                await source.CopyToAsync(target).ConfigureAwait(false);
            }

            target.Flush(flushToDisk: true);
        }

        session = sessions.Save(session with { Offset = session.Length!.Value });
        var completed = await CompleteAsync(id, session).ConfigureAwait(false);
        if (completed.Result != TusResult.Written)
        {
            return completed;
        }

        foreach (var (partId, _) in parts)
        {
            sessions.Delete(partId);
        }

        return created with { Session = completed.Session };
    }

    /// <summary>Stops any writer and removes the upload.</summary>
    public async Task<TusOutcome> TerminateAsync(UploadId id, CancellationToken cancellationToken)
    {
        await writers.StopAsync(id, cancellationToken).ConfigureAwait(false);
        hashes.Drop(id);
        flushes.Drop(id);
        return sessions.Delete(id) ? new TusOutcome(TusResult.Terminated) : new TusOutcome(TusResult.NotFound, "there is no such upload");
    }

    /// <summary>
    /// Removes every session expired for longer than <see cref="ExpiredRetention"/> (and any without a
    /// readable sidecar); returns how many. Safe to run at any time and twice.
    /// </summary>
    public int SweepExpired()
    {
        var now = clock.GetUtcNow();
        var removed = 0;
        foreach (var id in sessions.List().ToList())
        {
            // An active writer pushes Expires forward with every flush, so only idle uploads expire.
            if (sessions.Get(id) is not { } session || now > session.Expires + ExpiredRetention)
            {
                hashes.Drop(id);
                flushes.Drop(id);
                removed += sessions.Delete(id) ? 1 : 0;
            }
        }

        foreach (var id in sessions.SweepFinished(now - ExpiredRetention))
        {
            hashes.Drop(id);
            flushes.Drop(id);
            removed++;
        }

        if (removed > 0)
        {
            TusLog.Swept(logger, removed);
        }

        return removed;
    }

    /// <summary>Removes session files without a session (see <see cref="SessionStore.SweepOrphans"/>) last written before <paramref name="writtenBefore"/>.</summary>
    public int SweepOrphans(DateTimeOffset writtenBefore) => sessions.SweepOrphans(writtenBefore);

    private TusOutcome? Load(UploadId id, out UploadSession session)
    {
        session = sessions.Get(id)!;

        // An upload of the chunked API has chunks, not an offset: tus requests cannot see it.
        if (session is null || session.IsChunked)
        {
            // Its session may be on a volume that is not mounted: then 503, and the client tries again.
            files.EnsureAvailable();
            return new TusOutcome(TusResult.NotFound, "there is no such upload");
        }

        return clock.GetUtcNow() > session.Expires ? new TusOutcome(TusResult.Gone, "the upload has expired") : null;
    }

    private static bool IsOffsetContent(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(OffsetContentType, StringComparison.OrdinalIgnoreCase);

    private static bool TryParseLength(string? text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private TusOutcome RateLimited(UploadId? id, TimeSpan wait) =>
        Refuse(id, TusResult.RateLimited, Protection.OwnerRateLimiter.Refusal(wait)) with { Wait = wait };

    /// <summary>Logs and answers a refusal; <paramref name="id"/> is null before the upload has one.</summary>
    private TusOutcome Refuse(UploadId? id, TusResult result, string detail)
    {
        TusLog.Refused(logger, id?.Logged ?? "-", result, detail);
        return new TusOutcome(result, detail);
    }
}
