using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Metadata;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Sharing;

/// <summary>
/// Share links: created by a file's owner, opened by anyone with the link (and its password),
/// limited by expiry, download count and revocation. Each download of a file or of the zip of all
/// of them counts once, claimed before the first byte and given back if the download breaks off.
/// </summary>
public sealed class ShareService(ShareStore store, IMetadataStore metadata, FileCatalog catalog, TimeProvider clock, ILogger<ShareService> logger, Audit.AuditTrail? audit = null)
{
    public const int MaxFiles = 500;
    public static readonly TimeSpan LongestValidity = TimeSpan.FromDays(365);

    public async Task<ShareOutcome> CreateAsync(string owner, ShareRequest request, CancellationToken cancellationToken)
    {
        if (request.Files.Count == 0 || request.Files.Count > MaxFiles)
        {
            return ShareOutcome.Refused($"share between 1 and {MaxFiles} files");
        }

        if (request.ValidFor is { } validFor && (validFor <= TimeSpan.Zero || validFor > LongestValidity))
        {
            return ShareOutcome.Refused("a link may be valid for at most 365 days (or never expire)");
        }

        if (request.MaxDownloads is < 1)
        {
            return ShareOutcome.Refused("the download limit must be at least 1");
        }

        foreach (var path in request.Files.Distinct(StringComparer.Ordinal))
        {
            var record = await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (record is null || record.Owner != owner)
            {
                return ShareOutcome.Refused($"'{path}' is not one of your files");
            }
        }

        var now = clock.GetUtcNow();
        var link = new ShareLink(
            ShareId.New(),
            owner,
            now,
            request.ValidFor is { } valid ? now + valid : null,
            string.IsNullOrEmpty(request.Password) ? null : PasswordHash.Create(request.Password),
            request.MaxDownloads ?? (request.DeleteAfterDownload ? 1 : null),
            0,
            request.DeleteAfterDownload,
            false,
            request.Files.Distinct(StringComparer.Ordinal).ToArray());
        store.Create(link);
        SharingLog.Created(logger, owner, link.Files.Count, link.Id.Logged);
        audit?.Record("share.created", owner, null, $"link {link.Id.Logged}…",
            $"{link.Files.Count} file(s); {(link.Expires is { } e ? $"until {e:u}" : "no expiry")}{(link.HasPassword ? "; password" : string.Empty)}{(link.MaxDownloads is { } m ? $"; {m} download(s)" : string.Empty)}");
        return new ShareOutcome(link, string.Empty);
    }

    /// <summary>The link alone (no file records read), or null when there is no such link.</summary>
    public ShareLink? Find(ShareId id) => store.Get(id);

    public ShareState StateOf(ShareLink link) => link.StateAt(clock.GetUtcNow());

    /// <summary>The link with its state and files, or null when there is no such link.</summary>
    public async Task<ShareView?> OpenAsync(ShareId id, CancellationToken cancellationToken)
    {
        if (store.Get(id) is not { } link)
        {
            return null;
        }

        var files = new List<(string, FileRecord?)>(link.Files.Count);
        foreach (var path in link.Files)
        {
            files.Add((path, await metadata.GetAsync(path, cancellationToken).ConfigureAwait(false)));
        }

        return new ShareView(link, link.StateAt(clock.GetUtcNow()), files);
    }

    public bool CheckPassword(ShareLink link, string? password, string client)
    {
        if (link.PasswordHash is null)
        {
            return true;
        }

        if (!string.IsNullOrEmpty(password) && PasswordHash.Verify(password, link.PasswordHash))
        {
            return true;
        }

        SharingLog.WrongPassword(logger, link.Id.Logged, client);
        return false;
    }

    /// <summary>Takes one download from the link; false when it is not active or has none left.</summary>
    public bool TryStartDownload(ShareId id) => store.TryClaim(id, clock.GetUtcNow());

    /// <summary>
    /// Ends a download started with <see cref="TryStartDownload"/>. A finished one is counted, and when
    /// it used up a delete-after-download link, the files are deleted.
    /// </summary>
    public async Task EndDownloadAsync(ShareId id, bool finished)
    {
        store.EndClaim(id, finished);
        if (finished && store.Get(id) is { DeleteAfterDownload: true } link && link.StateAt(clock.GetUtcNow()) == ShareState.Exhausted)
        {
            var deleted = 0;
            foreach (var path in link.Files)
            {
                deleted += await catalog.DeleteAsync(path, $"link {id.Logged}", CancellationToken.None).ConfigureAwait(false) ? 1 : 0;
            }

            SharingLog.DeletedAfterDownload(logger, id.Logged, deleted);
        }
    }

    public IReadOnlyList<ShareLink> List(string owner) => store.ListByOwner(owner);

    public bool Revoke(string owner, ShareId id)
    {
        if (store.Get(id) is not { } link || link.Owner != owner || !store.Revoke(id))
        {
            return false;
        }

        SharingLog.Revoked(logger, id.Logged, owner);
        audit?.Record("share.revoked", owner, null, $"link {id.Logged}…");
        return true;
    }

    /// <summary>Makes the link valid for <paramref name="validFor"/> from now (null: never expires).</summary>
    public ShareOutcome Extend(string owner, ShareId id, TimeSpan? validFor)
    {
        if (store.Get(id) is not { } link || link.Owner != owner)
        {
            return ShareOutcome.Refused("no such link");
        }

        if (validFor is { } v && (v <= TimeSpan.Zero || v > LongestValidity))
        {
            return ShareOutcome.Refused("a link may be valid for at most 365 days (or never expire)");
        }

        var expires = validFor is { } valid ? clock.GetUtcNow() + valid : (DateTimeOffset?)null;
        store.SetExpiry(id, expires);
        return new ShareOutcome(link with { Expires = expires }, string.Empty);
    }
}
