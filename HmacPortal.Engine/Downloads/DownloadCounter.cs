using System.Collections.Concurrent;
using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Downloads;

/// <summary>
/// Counts downloads in memory and writes them to the metadata store in batches, so serving a file
/// never waits for a database write. A crash loses at most the counts since the last flush.
/// </summary>
public sealed class DownloadCounter(IMetadataStore metadata)
{
    private ConcurrentDictionary<string, Tally> _pending = new(StringComparer.Ordinal);

    public void Count(string path, DateTimeOffset at) =>
        _pending.AddOrUpdate(path, _ => new Tally(1, at), (_, t) => t.Add(at));

    public int PendingFiles => _pending.Count;

    /// <summary>Writes what was counted so far; safe to call concurrently and repeatedly.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var taken = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, Tally>(StringComparer.Ordinal));
        if (taken.IsEmpty)
        {
            return;
        }

        var tallies = taken.Select(p => new DownloadTally(p.Key, p.Value.Count, p.Value.Last)).ToList();
        try
        {
            await metadata.CountDownloadsAsync(tallies, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Keep the counts for the next flush.
            foreach (var tally in tallies)
            {
                _pending.AddOrUpdate(tally.Path, _ => new Tally(tally.Count, tally.Last), (_, t) => t.Merge(tally.Count, tally.Last));
            }

            throw;
        }
    }

    private sealed class Tally(long count, DateTimeOffset last)
    {
        private long _count = count;
        private long _lastTicks = last.UtcTicks;

        public long Count => Interlocked.Read(ref _count);

        public DateTimeOffset Last => new(Interlocked.Read(ref _lastTicks), TimeSpan.Zero);

        public Tally Add(DateTimeOffset at) => Merge(1, at);

        public Tally Merge(long count, DateTimeOffset at)
        {
            Interlocked.Add(ref _count, count);
            long seen;
            while ((seen = Interlocked.Read(ref _lastTicks)) < at.UtcTicks
                   && Interlocked.CompareExchange(ref _lastTicks, at.UtcTicks, seen) != seen)
            {
            }

            return this;
        }
    }
}
