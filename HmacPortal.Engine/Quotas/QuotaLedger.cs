using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Resumable;

namespace HmacPortal.Engine.Quotas;

/// <summary>
/// What an owner holds against their quota: their stored files plus the full length of their
/// unfinished resumable uploads (a started upload keeps its room until it finishes or expires).
/// Nothing is kept in memory, so the figure is right after a restart; reservations are made
/// one at a time so two uploads that each fit alone cannot both start when together they do not.
/// </summary>
public sealed class QuotaLedger(IMetadataStore metadata, SessionStore sessions, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<long> UsedAsync(string owner, CancellationToken cancellationToken) =>
        await metadata.UsedBytesAsync(owner, cancellationToken).ConfigureAwait(false) + InFlight(owner);

    /// <summary>
    /// Runs <paramref name="start"/> (which creates the upload) only when <paramref name="bytes"/> more
    /// still fit in <paramref name="quota"/>; returns the bytes left before it, and whether it ran.
    /// </summary>
    public async Task<(bool Fits, long Left)> ReserveAsync(string owner, long quota, long bytes, Action start, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var left = Math.Max(0, quota - await UsedAsync(owner, cancellationToken).ConfigureAwait(false));
            if (bytes > left)
            {
                return (false, left);
            }

            start();
            return (true, left);
        }
        finally
        {
            _gate.Release();
        }
    }

    private long InFlight(string owner)
    {
        var now = clock.GetUtcNow();
        long total = 0;
        foreach (var id in sessions.List())
        {
            if (sessions.Get(id) is { Completed: false } session && session.Owner == owner && session.Expires > now)
            {
                total += session.Length ?? session.MaxLength;
            }
        }

        return total;
    }

    public void Dispose() => _gate.Dispose();
}
