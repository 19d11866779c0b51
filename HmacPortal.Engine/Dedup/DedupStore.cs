using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Dedup;

/// <summary>
/// Content-addressed storage by hard links. Each distinct content has one name in the store,
/// <c>.hmacportal-dedup/ab/cd/&lt;sha256&gt;</c>, linked to the same inode as every stored file with
/// that content, so the inode's link count is the reference count and the kernel keeps it: a
/// delete frees the bytes only when the last name goes. A stored file is switched to the shared
/// inode by an atomic exchange of names, which fails if the file was deleted meanwhile, so a
/// deleted file never comes back. The store's names are internal, so they are never served.
/// </summary>
public sealed class DedupStore(
    IOptionsMonitor<DeduplicationOptions> options,
    IOptionsMonitor<ServerOptions> server,
    ILogger<DedupStore> logger)
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-dedup";
    private const string ClaimedSuffix = ".collected";

    private long _deduplicated;
    private long _bytesSaved;
    private int _crossDeviceLogged;

    public bool Enabled => options.CurrentValue.Enabled;

    public string Root => Path.Combine(
        string.IsNullOrWhiteSpace(options.CurrentValue.Directory) ? server.CurrentValue.StoragePath : options.CurrentValue.Directory,
        DirectoryName);

    /// <summary>Files switched to shared content since start.</summary>
    public long DeduplicatedCount => Interlocked.Read(ref _deduplicated);

    /// <summary>Bytes freed by those switches since start.</summary>
    public long BytesSaved => Interlocked.Read(ref _bytesSaved);

    /// <summary>Whether a file of this hash and size would be deduplicated now (on, not empty, within maxsize, a proper SHA-256).</summary>
    public bool IsEligible(string? sha256, long size)
    {
        var limits = options.CurrentValue;
        return limits.Enabled && size > 0 && (limits.MaxSize.Bytes == 0 || size <= limits.MaxSize.Bytes)
            && sha256 is { Length: 64 } && sha256.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));
    }

    public string BlobPath(string sha256) => Path.Combine(Root, sha256[..2], sha256[2..4], sha256);

    /// <summary>Shares the bytes of the stored file at <paramref name="stored"/> with identical content, or adds them to the store.</summary>
    public DedupOutcome Add(StoragePath stored, string? sha256, long size)
    {
        if (sha256 is null || !IsEligible(sha256, size))
        {
            return DedupOutcome.NotEligible;
        }

        var file = stored.ToFullPath(server.CurrentValue.StoragePath);
        var blob = BlobPath(sha256);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);

            // Two tries: the blob may be collected between finding it and linking it.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (FileLinks.Identify(file) is not { } mine)
                {
                    return DedupOutcome.Gone;
                }

                if (NoReplaceRename.TryLink(file, blob))
                {
                    return DedupOutcome.Stored;
                }

                if (FileLinks.Identify(blob) is not { } shared)
                {
                    continue;
                }

                if (shared.IsSameFile(mine))
                {
                    return DedupOutcome.Stored;
                }

                if (shared.Size != size)
                {
                    DedupLog.SizeMismatch(logger, blob, shared.Size, stored.Value, size);
                    return DedupOutcome.Failed;
                }

                var temp = Path.Combine(Path.GetDirectoryName(file)!, $"{FileStore.TempPrefix}{Guid.NewGuid():N}");
                if (!NoReplaceRename.TryLink(blob, temp))
                {
                    continue;
                }

                try
                {
                    if (!FileLinks.TryExchange(temp, file))
                    {
                        return DedupOutcome.Gone;
                    }
                }
                finally
                {
                    // After the exchange this name holds the file's own copy, which goes with it.
                    File.Delete(temp);
                }

                Interlocked.Increment(ref _deduplicated);
                Interlocked.Add(ref _bytesSaved, size);
                DedupLog.Deduplicated(logger, stored.Value, size);
                return DedupOutcome.Deduplicated;
            }

            return DedupOutcome.Failed;
        }
        catch (IOException ex) when (FileLinks.IsCrossDevice(ex))
        {
            if (Interlocked.Exchange(ref _crossDeviceLogged, 1) == 0)
            {
                DedupLog.CrossDevice(logger, Root);
            }

            return DedupOutcome.Failed;
        }
    }

    /// <summary>
    /// Removes blobs that no stored file links to any more (a link count of 1: only the store's own
    /// name), freeing their bytes; returns how many. Safe to run at any time and twice: a blob
    /// linked again meanwhile keeps its bytes through that link.
    /// </summary>
    public int CollectGarbage(CancellationToken cancellationToken)
    {
        var root = Root;
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        long bytes = 0;
        foreach (var blob in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (blob.EndsWith(ClaimedSuffix, StringComparison.Ordinal))
            {
                // Claimed by a collection that stopped before deleting it (or is deleting it now).
                File.Delete(blob);
                continue;
            }

            if (FileLinks.Identify(blob) is not { Links: 1 } orphan)
            {
                continue;
            }

            // Renaming first lets exactly one of two collectors claim the blob; a leftover of a crash here is collected next time.
            var claimed = $"{blob}.{Guid.NewGuid():N}{ClaimedSuffix}";
            try
            {
                File.Move(blob, claimed);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            File.Delete(claimed);
            removed++;
            bytes += orphan.Size;
        }

        if (removed > 0)
        {
            DedupLog.Collected(logger, removed, bytes);
        }

        return removed;
    }
}
