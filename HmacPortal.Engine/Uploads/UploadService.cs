using System.IO.Pipelines;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Uploads;

/// <summary>
/// The XEP-0363 receiver: checks everything that can be checked before the body (so a refused upload
/// costs no body: with <c>Expect: 100-continue</c> the client never sends it), then streams the body
/// into storage and records it. The file is written first and the record second.
/// </summary>
public sealed class UploadService(
    SignatureVerifier verifier,
    FileStore files,
    StorageLayout layout,
    UploadRecorder recorder,
    UploadLimits limits,
    Protection.BanList bans,
    Telemetry.TransferMonitor transfers,
    Quotas.QuotaLedger quotas,
    Quotas.QuotaPolicy quotaPolicy,
    Metadata.IMetadataStore metadata,
    Validation.ContentValidator validator,
    Identity.OwnerResolver owners,
    Protection.OwnerRateLimiter ownerLimits,
    Metadata.Database database,
    ILogger<UploadService> logger)
{
    private const string DatabaseUnavailableDetail = "the database that records files is unreachable, so nothing was stored; try again shortly";

    /// <summary>Everything that decides an upload before its body: a refusal, or null to go ahead.</summary>
    private UploadOutcome? Admit(UploadRequest request, out SignatureCheck check, out string? owner)
    {
        owner = null;
        check = new SignatureCheck(SignatureStatus.Missing, SignatureScheme.None, string.Empty);
        if (database.Unreachable)
        {
            return Refuse(request, UploadResult.DatabaseUnavailable, DatabaseUnavailableDetail) with { Wait = database.RetryAfter };
        }

        if (bans.Find(request.ClientAddress) is { } ban)
        {
            return new UploadOutcome(UploadResult.Banned, $"this address is banned until {ban.Until:u} after repeated signature failures");
        }

        if (request.ContentLength is not { } length)
        {
            return Refuse(request, UploadResult.LengthRequired, "a Content-Length header is required");
        }

        check = verifier.Verify(request.Path, length, request.ContentType, request.Credentials);
        var refusal = check.Status switch
        {
            SignatureStatus.Valid => null,
            SignatureStatus.Missing or SignatureStatus.Invalid or SignatureStatus.LinkExpired => Refuse(request, UploadResult.Forbidden, check.Detail),
            SignatureStatus.TokenInvalid => Refuse(request, UploadResult.Unauthorized, check.Detail),
            SignatureStatus.TokenExpired => Refuse(request, UploadResult.TokenExpired, check.Detail),
            SignatureStatus.TokenPathMismatch => Refuse(request, UploadResult.TokenPathMismatch, check.Detail),
            SignatureStatus.TokenSizeMismatch => Refuse(request, UploadResult.TooLarge, check.Detail),
            _ => Refuse(request, UploadResult.Forbidden, check.Detail),
        };
        if (refusal is not null)
        {
            if (check.Status is SignatureStatus.Invalid or SignatureStatus.Missing or SignatureStatus.TokenInvalid)
            {
                bans.RecordSignatureFailure(request.ClientAddress);
            }

            return refusal;
        }

        owner = owners.Resolve(check, request.ClientAddress);
        if (ownerLimits.TryAcquire(owner) is { } wait)
        {
            return Refuse(request, UploadResult.RateLimited, Protection.OwnerRateLimiter.Refusal(wait)) with { Wait = wait };
        }

        var (breach, detail) = limits.Check(request.Path, length);
        return breach switch
        {
            LimitBreach.None => null,
            LimitBreach.TooLarge => Refuse(request, UploadResult.TooLarge, detail),
            LimitBreach.ExtensionNotAllowed => Refuse(request, UploadResult.ExtensionNotAllowed, detail),
            LimitBreach.Exists => Refuse(request, UploadResult.Exists, detail),
            LimitBreach.ScannerUnavailable => Refuse(request, UploadResult.Unavailable, detail),
            _ => Refuse(request, UploadResult.InsufficientStorage, detail),
        };
    }

    /// <summary>Admits the upload, then streams <paramref name="body"/> to storage and records it.</summary>
    public async Task<UploadOutcome> UploadAsync(UploadRequest request, PipeReader body, CancellationToken cancellationToken)
    {
        if (Admit(request, out var check, out var owner) is { } refusal)
        {
            return refusal;
        }

        var length = request.ContentLength!.Value;
        IDisposable? hold = null;
        if (quotaPolicy.Enabled)
        {
            if (quotaPolicy.Global is { } global && await metadata.TotalSizeAsync(cancellationToken).ConfigureAwait(false) + quotas.ReservedTotal + length > global)
            {
                return Refuse(request, UploadResult.InsufficientStorage, $"the server's storage quota of {new Configuration.ByteSize(global).ToDisplayString()} is full");
            }

            if (owner is not null)
            {
                var limit = quotaPolicy.LimitFor(owner);
                hold = await quotas.TryHoldAsync(owner, limit.Bytes, length, cancellationToken).ConfigureAwait(false);
                if (hold is null)
                {
                    return Refuse(request, UploadResult.QuotaExceeded, $"this file does not fit in the uploader's quota of {new Configuration.ByteSize(limit.Bytes).ToDisplayString()}");
                }
            }
        }

        // The room held in the quota is given back however this ends: a stored file is counted from its record.
        using (hold)
        {
            return await StoreAsync(request, body, check, owner, length, hold, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UploadOutcome> StoreAsync(
        UploadRequest request, PipeReader body, SignatureCheck check, string? owner, long length, IDisposable? hold, CancellationToken cancellationToken)
    {
        var stored = layout.Locate(request.Path);
        var contentType = !string.IsNullOrWhiteSpace(request.ContentType) ? request.ContentType
            : check.GrantedContentType ?? ContentTypes.FromFileName(request.Path.FileName);
        Func<byte[], int, string?>? vet = validator.Active ? (head, count) => validator.Check(contentType, head.AsSpan(0, count)) : null;
        FileWriteResult write;
        using (var transfer = transfers.BeginUpload(check.Scheme.ToString().ToLowerInvariant(), request.Path.Value, request.ClientAddress, length))
        {
            write = await files.WriteAsync(stored, body, length, transfer.Add, cancellationToken, vet).ConfigureAwait(false);
        }

        switch (write.Status)
        {
            case FileWriteStatus.Stored:
                break;
            case FileWriteStatus.Exists:
                UploadLog.LostRace(logger, request.Path.Value);
                return new UploadOutcome(UploadResult.Exists, "a file already exists at this path");
            case FileWriteStatus.NoSpace:
                return Refuse(request, UploadResult.InsufficientStorage, "the server ran out of space while storing this file");
            case FileWriteStatus.Refused:
                return Refuse(request, UploadResult.TypeNotAccepted, write.Detail!);
            case FileWriteStatus.ClientGone:
                UploadLog.Abandoned(logger, request.Path.Value, request.ClientAddress, UploadResult.ClientGone);
                return new UploadOutcome(UploadResult.ClientGone, "the upload was interrupted");
            default:
                UploadLog.Abandoned(logger, request.Path.Value, request.ClientAddress, UploadResult.LengthMismatch);
                return new UploadOutcome(UploadResult.LengthMismatch, "the body's length differs from Content-Length");
        }

        Metadata.FileRecord record;
        try
        {
            Task<Metadata.FileRecord> Record() => recorder.RecordAsync(
                request.Path, stored, write.Length, write.Sha256, contentType, owner,
                check.Scheme.ToString().ToLowerInvariant(), request.ClientAddress, check.FileExpiresAt);

            // With a quota hold, the record and the hold's release are one step for reservations.
            record = hold is null ? await Record().ConfigureAwait(false) : await quotas.LandAsync(hold, Record).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            // No file without its record: the committed bytes go, and the client is told to come back.
            files.Delete(stored);
            UploadLog.Unrecorded(logger, request.Path.Value, ex.Message);
            return new UploadOutcome(UploadResult.DatabaseUnavailable, DatabaseUnavailableDetail) { Wait = database.RetryAfter };
        }

        transfers.UploadStored();
        return UploadOutcome.Stored(record);
    }

    private UploadOutcome Refuse(UploadRequest request, UploadResult result, string detail)
    {
        UploadLog.Refused(logger, request.Path.Value, request.ClientAddress, result, detail);
        return new UploadOutcome(result, detail);
    }
}
