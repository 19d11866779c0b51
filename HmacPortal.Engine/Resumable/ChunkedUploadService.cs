using System.Globalization;
using System.IO.Pipelines;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// The Go server's chunked API on the same durable session store as tus. Unlike the Go server,
/// an upload is signed once, when its session is created, by credentials that bind its path and
/// total size (a v/v2/token MAC or a JWT grant); the session id that answer returns (128 random
/// bits) is then the capability for its chunks. Chunk n is written at n × chunk_size, flushed, and
/// only then marked received, so chunks may come in any order, in parallel and again; the file
/// is committed like a PUT when the last one arrives.
/// </summary>
public sealed class ChunkedUploadService(
    SessionStore sessions,
    UploadWriters writers,
    SessionCommitter committer,
    UploadLimits limits,
    SignatureVerifier verifier,
    Protection.BanList bans,
    Quotas.QuotaLedger quotas,
    Quotas.QuotaPolicy quotaPolicy,
    Telemetry.TransferMonitor transfers,
    IOptionsMonitor<UploadsOptions> uploads,
    TimeProvider clock,
    Identity.OwnerResolver owners,
    Protection.OwnerRateLimiter ownerLimits,
    ILogger<ChunkedUploadService> logger) : IDisposable
{
    /// <summary>How much written data may pile up before its writeback to disk is started.</summary>
    private const long WritebackChunk = 2L << 20;

    /// <summary>Session updates (read, mark, save) are serialised per session through one of these, chosen by the id's hash.</summary>
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>The most chunks one upload may have (its map of received chunks is saved with every chunk).</summary>
    public const int MaxChunks = 1 << 20;

    public bool Enabled => uploads.CurrentValue.ChunkedUploadsEnabled;

    /// <summary>Opens an upload session; an upload of 0 bytes is complete at once and committed here.</summary>
    public async Task<TusOutcome> CreateAsync(ChunkedCreateRequest request)
    {
        if (bans.Find(request.ClientAddress) is { } ban)
        {
            return Refuse(null, TusResult.Forbidden, $"this address is banned until {ban.Until:u} after repeated signature failures");
        }

        if (request.BodyLength > 0)
        {
            return Refuse(null, TusResult.BadRequest, "a request without X-Upload-Session-ID opens a session and takes no body; send chunks with the session id it returns");
        }

        if (string.IsNullOrEmpty(request.FileName) || request.TotalSize is null)
        {
            return Refuse(null, TusResult.BadRequest, "opening a session needs X-Filename and X-Total-Size");
        }

        if (!long.TryParse(request.TotalSize, NumberStyles.None, CultureInfo.InvariantCulture, out var total))
        {
            return Refuse(null, TusResult.BadRequest, "X-Total-Size must be a non-negative whole number of bytes");
        }

        if (request.Credentials.V3 is not null)
        {
            return Refuse(null, TusResult.Forbidden, "a v3 MAC does not sign the file's size; open a chunked upload with a v, v2 or token MAC, or a JWT");
        }

        // X-Filename is untrusted: a path as written in a URL (percent-encoded, decoded once), held to every rule a
        // PUT's path is. A bare name under a JWT goes into the token's slot.
        var name = request.FileName;
        if (!name.Contains('/', StringComparison.Ordinal) && request.Credentials.BearerToken is { } token && verifier.ReadGrant(token).Grant is { } grant)
        {
            name = $"{Uri.EscapeDataString(grant.Slot)}/{name}";
        }

        if (!StoragePath.TryParseEncoded(name, out var target, out var error))
        {
            return Refuse(null, TusResult.BadRequest, $"X-Filename is not an acceptable file name: {error}");
        }

        var check = verifier.Verify(target, total, request.ContentType, request.Credentials);
        if (!check.IsValid)
        {
            if (check.Status is SignatureStatus.Invalid or SignatureStatus.Missing or SignatureStatus.TokenInvalid)
            {
                bans.RecordSignatureFailure(request.ClientAddress);
            }

            return Refuse(null, check.Status switch
            {
                SignatureStatus.TokenInvalid => TusResult.Unauthorized,
                SignatureStatus.TokenExpired => TusResult.Gone,
                SignatureStatus.TokenSizeMismatch => TusResult.TooLarge,
                _ => TusResult.Forbidden,
            }, check.Detail);
        }

        var owner = owners.Resolve(check, request.ClientAddress);
        if (ownerLimits.TryAcquire(owner) is { } wait)
        {
            return RateLimited(null, wait);
        }

        var (breach, detail) = limits.Check(target, total);
        if (breach != LimitBreach.None)
        {
            return Refuse(null, LimitResults.Of(breach), detail);
        }

        var options = uploads.CurrentValue;
        var chunkSize = options.ChunkSize.Bytes;
        if ((total + chunkSize - 1) / chunkSize > MaxChunks)
        {
            return Refuse(null, TusResult.TooLarge, $"a file this large would need more than {MaxChunks} chunks of {options.ChunkSize.ToDisplayString()}");
        }

        var now = clock.GetUtcNow();
        var id = UploadId.New();
        var session = new UploadSession
        {
            Id = id.Value,
            Length = total,
            Metadata = new Dictionary<string, string> { ["filename"] = target.FileName },
            TargetPath = target.Value,
            Owner = owner,
            ClientAddress = request.ClientAddress,
            ContentType = !string.IsNullOrWhiteSpace(request.ContentType) ? request.ContentType
                : check.GrantedContentType ?? ContentTypes.FromFileName(target.FileName),
            MaxLength = total,
            Created = now,
            Expires = now + options.SessionTimeout,
            FileExpires = check.FileExpiresAt,
            ChunkSize = chunkSize,
            ChunkMap = new byte[(ChunkCount(total, chunkSize) + 7) / 8],
        };

        if (quotaPolicy.Enabled && owner is not null)
        {
            var quota = quotaPolicy.LimitFor(owner).Bytes;
            var (fits, left) = await quotas.ReserveAsync(owner, quota, total, () => sessions.Create(session), CancellationToken.None).ConfigureAwait(false);
            if (!fits)
            {
                return Refuse(id, TusResult.QuotaExceeded, $"this upload needs {total} bytes but only {left} are left in the quota");
            }
        }
        else
        {
            sessions.Create(session);
        }

        // The whole file's room is taken now, while no chunk is being written: chunks arrive in any
        // order and in parallel, and none of them can then find the disk full.
        if (total > BodyCopier.BufferSize && !sessions.TryReserve(id, total))
        {
            sessions.Delete(id);
            return Refuse(id, TusResult.InsufficientStorage, $"the server does not have room for a file of {total} bytes");
        }

        ChunkedLog.Created(logger, id.Logged, session.TargetPath, total, ChunkCount(total, chunkSize), request.ClientAddress);
        if (total > 0)
        {
            return new TusOutcome(TusResult.Created, Session: session);
        }

        var committed = await committer.CommitAsync(id, session, "chunked").ConfigureAwait(false);
        return committed.Result == TusResult.Written ? committed with { Result = TusResult.Created } : committed;
    }

    /// <summary>Where an upload stands, for <c>/upload-status</c>.</summary>
    public TusOutcome Status(string? sessionId) =>
        Load(sessionId, out _, out var session) ?? new TusOutcome(TusResult.Found, Session: session);

    /// <summary>
    /// Writes chunk <see cref="ChunkRequest.ChunkNumber"/> of an upload. A chunk counts only once it is
    /// whole and on disk; one cut off is discarded (and counts against <c>maxretries</c>). A newer
    /// request for the same chunk takes over from an older one.
    /// </summary>
    public async Task<TusOutcome> WriteChunkAsync(ChunkRequest request, PipeReader body, CancellationToken cancellationToken)
    {
        if (Load(request.SessionId, out var id, out var session) is { } missing)
        {
            return missing;
        }

        if (ownerLimits.TryAcquire(session.Owner) is { } wait)
        {
            return RateLimited(id, wait);
        }

        var chunkSize = session.ChunkSize!.Value;
        var length = session.Length!.Value;
        var count = ChunkCount(length, chunkSize);
        if (!int.TryParse(request.ChunkNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number >= count)
        {
            return Refuse(id, TusResult.BadRequest, count == 0
                ? "this upload has no chunks"
                : $"X-Chunk-Number must be a whole number from 0 to {count - 1}");
        }

        var start = number * chunkSize;
        var size = Math.Min(chunkSize, length - start);
        if (IsReceived(session, number))
        {
            // Every chunk is in but the commit did not happen (the database was unreachable): sending a chunk again finishes it.
            return session is { IsComplete: true, Completed: false }
                ? await CommitPendingAsync(id).ConfigureAwait(false)
                : new TusOutcome(TusResult.Found, "Chunk already uploaded", session);
        }

        if (request.ContentLength is not { } sent)
        {
            return Refuse(id, TusResult.LengthRequired, $"chunk {number} needs a Content-Length of {size}");
        }

        if (sent != size)
        {
            return await FailAsync(id, number, TusResult.BadRequest, $"chunk {number} must be exactly {size} bytes; it was {sent}").ConfigureAwait(false);
        }

        BodyCopyResult copy;
        using (var lease = await writers.AcquireAsync($"{id.Value}:{number}", cancellationToken).ConfigureAwait(false))
        using (var transfer = transfers.BeginUpload("chunked", session.TargetPath, request.ClientAddress, size))
        {
            // Looked at again as this chunk's only writer: another request may have delivered it meanwhile. While it is
            // missing the upload cannot be committed, so nothing renames the data file under this write.
            if (sessions.Get(id) is not { } current)
            {
                return new TusOutcome(TusResult.NotFound, "there is no such upload session");
            }

            if (IsReceived(current, number))
            {
                return new TusOutcome(TusResult.Found, "Chunk already uploaded", current);
            }

            try
            {
                await using var file = new FileStream(sessions.DataPath(id), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.ReadWrite, BufferSize = 0 });
                file.Position = start;
                copy = await BodyCopier.CopyAsync(body, file, size, BodyCopier.GoesDirect(length), WritebackChunk, static _ => { }, null, transfer.Add, lease.Token).ConfigureAwait(false);
                if (copy is { Stop: BodyCopyStop.Ended } && copy.Written == size)
                {
                    file.Flush(flushToDisk: true);
                }
            }
            catch (IOException ex) when (FileStore.IsNoSpace(ex))
            {
                return Refuse(id, TusResult.InsufficientStorage, "the server ran out of space while storing this chunk");
            }
            catch (FileNotFoundException)
            {
                return new TusOutcome(TusResult.NotFound, "there is no such upload session");
            }
        }

        if (copy.Stop != BodyCopyStop.Ended || copy.Written != size)
        {
            return await FailAsync(id, number, TusResult.Interrupted, $"chunk {number} was cut off after {copy.Written} of {size} bytes and was discarded").ConfigureAwait(false);
        }

        return await MarkReceivedAsync(id, number, size).ConfigureAwait(false);
    }

    /// <summary>Records chunk <paramref name="number"/> as on disk and, when it was the last one missing, commits the file.</summary>
    private async Task<TusOutcome> MarkReceivedAsync(UploadId id, int number, long size)
    {
        var stripe = Stripe(id);
        await stripe.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (sessions.Get(id) is not { } session)
            {
                return new TusOutcome(TusResult.NotFound, "there is no such upload session");
            }

            if (IsReceived(session, number))
            {
                return new TusOutcome(TusResult.Found, "Chunk already uploaded", session);
            }

            var map = (byte[])session.ChunkMap!.Clone();
            map[number / 8] |= (byte)(1 << (number % 8));
            session = session with { ChunkMap = map, Offset = session.Offset + size, Expires = clock.GetUtcNow() + uploads.CurrentValue.SessionTimeout };
            sessions.Save(session);
            if (!session.IsComplete)
            {
                return new TusOutcome(TusResult.Written, Session: session);
            }

            return await committer.CommitAsync(id, session, "chunked").ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }
    }

    private async Task<TusOutcome> CommitPendingAsync(UploadId id)
    {
        var stripe = Stripe(id);
        await stripe.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return sessions.Get(id) is { IsComplete: true, Completed: false } session
                ? await committer.CommitAsync(id, session, "chunked").ConfigureAwait(false)
                : new TusOutcome(TusResult.Found, "Chunk already uploaded", sessions.Get(id));
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <summary>Counts a failed attempt at a chunk; past <c>maxretries</c> the upload is abandoned and its bytes removed.</summary>
    private async Task<TusOutcome> FailAsync(UploadId id, int number, TusResult result, string detail)
    {
        var stripe = Stripe(id);
        await stripe.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (sessions.Get(id) is not { } session)
            {
                return new TusOutcome(TusResult.NotFound, "there is no such upload session");
            }

            var failures = new Dictionary<int, int>(session.ChunkFailures ?? new Dictionary<int, int>());
            var failed = failures[number] = failures.GetValueOrDefault(number) + 1;
            var allowed = uploads.CurrentValue.MaxRetries;
            if (allowed > 0 && failed > allowed)
            {
                sessions.Delete(id);
                return Refuse(id, TusResult.Gone, $"{detail}; chunk {number} has now failed {failed} times, more than maxretries ({allowed}), so the upload was abandoned");
            }

            session = session with { ChunkFailures = failures };
            sessions.Save(session);
            return Refuse(id, result, detail);
        }
        finally
        {
            stripe.Release();
        }
    }

    private TusOutcome? Load(string? sessionId, out UploadId id, out UploadSession session)
    {
        session = null!;
        if (!UploadId.TryParse(sessionId, out id) || sessions.Get(id) is not { IsChunked: true } found)
        {
            // Its session may be on a volume that is not mounted: then 503, and the client tries again.
            limits.EnsureStorage();
            return new TusOutcome(TusResult.NotFound, "there is no such upload session");
        }

        session = found;
        return clock.GetUtcNow() > session.Expires ? new TusOutcome(TusResult.Gone, "the upload session has expired") : null;
    }

    /// <summary>How many chunks an upload of <paramref name="length"/> bytes has.</summary>
    public static int ChunkCount(long length, long chunkSize) => checked((int)((length + chunkSize - 1) / chunkSize));

    /// <summary>How many of the upload's chunks are on disk.</summary>
    public static int ReceivedCount(UploadSession session) =>
        session.ChunkMap is { } map ? map.Sum(b => System.Numerics.BitOperations.PopCount(b)) : 0;

    private static bool IsReceived(UploadSession session, int number) =>
        session.ChunkMap is { } map && (map[number / 8] & (1 << (number % 8))) != 0;

    private SemaphoreSlim Stripe(UploadId id) => _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(id.Value) % _stripes.Length)];

    private TusOutcome RateLimited(UploadId? id, TimeSpan wait) =>
        Refuse(id, TusResult.RateLimited, Protection.OwnerRateLimiter.Refusal(wait)) with { Wait = wait };

    /// <summary>Logs and answers a refusal; <paramref name="id"/> is null before the upload has one.</summary>
    private TusOutcome Refuse(UploadId? id, TusResult result, string detail)
    {
        ChunkedLog.Refused(logger, id?.Logged ?? "-", result, detail);
        return new TusOutcome(result, detail);
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }
}
