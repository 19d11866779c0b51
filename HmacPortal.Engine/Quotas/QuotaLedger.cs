using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Resumable;

namespace HmacPortal.Engine.Quotas;

/// <summary>
/// What an owner holds against their quota: their stored files plus the full length of their
/// unfinished resumable uploads (a started upload keeps its room until it finishes or expires).
/// Nothing is kept in memory, so the figure is right after a restart; reservations are made
/// one at a time so two uploads that each fit alone cannot both start when together they do not.
/// With Redis, the room held by uploads in progress and the one-at-a-time rule are the cluster's
/// (<see cref="Cluster.SharedHolds"/>); resumable uploads already are, as their sessions live on the
/// shared volume.
/// </summary>
public sealed class QuotaLedger(IMetadataStore metadata, SessionStore sessions, TimeProvider clock, Cluster.SharedHolds? shared = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, long> _reserved = new(StringComparer.OrdinalIgnoreCase);

    /// <remarks>
    /// Uploads in progress are counted before the stored files. A file is recorded before its
    /// upload stops counting as in progress, so one finishing between the two reads is counted
    /// twice for that moment (erring towards a refusal), never not at all (which would let the
    /// same room be taken twice). A PUT's hold is given back in <see cref="LandAsync"/>, which a
    /// reservation never overlaps, so for PUTs the count is exact.
    /// </remarks>
    public async Task<long> UsedAsync(string owner, CancellationToken cancellationToken)
    {
        var inProgress = InFlight(owner) + Reserved(owner);
        return inProgress + await metadata.UsedBytesAsync(owner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds <paramref name="bytes"/> of <paramref name="owner"/>'s quota for an upload whose body is
    /// about to be read; null when they do not fit. Dispose the reservation once the upload is
    /// recorded (it then counts as a stored file) or has failed (the room is given back).
    /// </summary>
    public async Task<IDisposable?> TryHoldAsync(string owner, long quota, long bytes, CancellationToken cancellationToken)
    {
        IDisposable? hold = null;
        var (fits, _) = await ReserveAsync(owner, quota, bytes, () =>
        {
            lock (_reserved)
            {
                _reserved[owner] = _reserved.GetValueOrDefault(owner) + bytes;
            }

            hold = new Hold(this, owner, bytes, shared?.Add(owner, bytes, clock.GetUtcNow()));
        }, cancellationToken).ConfigureAwait(false);
        return fits ? hold : null;
    }

    /// <summary>
    /// Runs <paramref name="record"/> (which records the file a hold was taken for) and then gives the
    /// hold back, as one step for reservations: one being decided meanwhile waits, so it never
    /// finds the file neither recorded nor held (which would let it take the same room again), nor
    /// both (which would refuse an upload that fits).
    /// </summary>
    public async Task<T> LandAsync<T>(IDisposable hold, Func<Task<T>> record)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return await record().ConfigureAwait(false);
        }
        finally
        {
            hold.Dispose();
            _gate.Release();
        }
    }

    /// <summary>Bytes held for uploads in progress, by everyone (for tests and the console).</summary>
    public long ReservedTotal
    {
        get
        {
            if (shared?.SumAll(clock.GetUtcNow()) is { } cluster)
            {
                return cluster;
            }

            lock (_reserved)
            {
                return _reserved.Values.Sum();
            }
        }
    }

    private long Reserved(string owner)
    {
        if (shared?.Sum(owner, clock.GetUtcNow()) is { } cluster)
        {
            return cluster;
        }

        lock (_reserved)
        {
            return _reserved.GetValueOrDefault(owner);
        }
    }

    private void Release(string owner, long bytes, string? sharedHold)
    {
        if (sharedHold is not null)
        {
            shared?.Remove(owner, sharedHold);
        }

        lock (_reserved)
        {
            var left = _reserved.GetValueOrDefault(owner) - bytes;
            if (left > 0)
            {
                _reserved[owner] = left;
            }
            else
            {
                _reserved.Remove(owner);
            }
        }
    }

    private sealed class Hold(QuotaLedger ledger, string owner, long bytes, string? sharedHold) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                ledger.Release(owner, bytes, sharedHold);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="start"/> (which creates the upload) only when <paramref name="bytes"/> more
    /// still fit in <paramref name="quota"/>; returns the bytes left before it, and whether it ran.
    /// </summary>
    public async Task<(bool Fits, long Left)> ReserveAsync(string owner, long quota, long bytes, Action start, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        IDisposable? clusterLock = null;
        try
        {
            clusterLock = shared is { Active: true } ? await shared.LockAsync(owner, cancellationToken).ConfigureAwait(false) : null;
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
            clusterLock?.Dispose();
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
