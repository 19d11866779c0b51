using HmacPortal.Engine.Dedup;
using HmacPortal.Engine.Storage;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Frees the bytes of stored content that no file links to any more. Idempotent. Throws
/// <see cref="StorageUnavailableException"/>, freeing nothing, while the storage is unavailable.
/// </summary>
public sealed class DedupCollectJob(DedupStore store, FileStore files)
{
    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        files.EnsureAvailable();
        return Task.FromResult(store.CollectGarbage(cancellationToken));
    }
}
