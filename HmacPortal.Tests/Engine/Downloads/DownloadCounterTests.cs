using HmacPortal.Engine.Downloads;
using HmacPortal.Engine.Metadata;

namespace HmacPortal.Tests.Engine.Downloads;

public sealed class DownloadCounterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Count_ManyThreads_FlushesExactTotalsAndLatestTime()
    {
        var store = new RecordingStore();
        var counter = new DownloadCounter(store);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                counter.Count(i % 2 == 0 ? "a" : "b", T0.AddSeconds(t * 1000 + i));
            }
        })));
        await counter.FlushAsync(CancellationToken.None);

        var flushed = store.Flushed.SelectMany(batch => batch).ToDictionary(t => t.Path);
        Assert.Equal(4000, flushed["a"].Count);
        Assert.Equal(4000, flushed["b"].Count);
        Assert.Equal(T0.AddSeconds(7999), flushed["b"].Last);
        Assert.Equal(0, counter.PendingFiles);
    }

    [Fact]
    public async Task Flush_WhenStoreFails_KeepsCountsForNextFlush()
    {
        var store = new RecordingStore { FailNext = true };
        var counter = new DownloadCounter(store);
        counter.Count("a", T0);
        counter.Count("a", T0.AddSeconds(1));

        await Assert.ThrowsAsync<InvalidOperationException>(() => counter.FlushAsync(CancellationToken.None));
        counter.Count("a", T0.AddSeconds(2));
        await counter.FlushAsync(CancellationToken.None);

        var tally = Assert.Single(Assert.Single(store.Flushed));
        Assert.Equal(3, tally.Count);
        Assert.Equal(T0.AddSeconds(2), tally.Last);
    }

    [Fact]
    public async Task Flush_NothingCounted_WritesNothing()
    {
        var store = new RecordingStore();

        await new DownloadCounter(store).FlushAsync(CancellationToken.None);

        Assert.Empty(store.Flushed);
    }

    private sealed class RecordingStore : IMetadataStore
    {
        public List<IReadOnlyCollection<DownloadTally>> Flushed { get; } = [];

        public bool FailNext { get; set; }

        public Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("database is locked");
            }

            Flushed.Add(tallies);
            return Task.CompletedTask;
        }

        public Task RecordAsync(FileRecord record, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlySet<string>> DeleteManyAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListExpiredAsync(DateTimeOffset now, DateTimeOffset? createdBefore, int take, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> UsedBytesAsync(string owner, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> TotalSizeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListUnprocessedAsync(DateTimeOffset createdBefore, string? after, int take, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetProcessedAsync(string path, ProcessingState state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<(string Path, string StoredPath, long Size, bool Quarantined)> ListPathsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
