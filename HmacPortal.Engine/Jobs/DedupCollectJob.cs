using HmacPortal.Engine.Dedup;

namespace HmacPortal.Engine.Jobs;

/// <summary>Frees the bytes of stored content that no file links to any more. Idempotent.</summary>
public sealed class DedupCollectJob(DedupStore store)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) => Task.FromResult(store.CollectGarbage(cancellationToken));
}
