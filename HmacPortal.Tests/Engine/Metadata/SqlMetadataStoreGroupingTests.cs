using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Engine.Metadata;

/// <summary>
/// Records that arrive while the writers' connection is busy are committed together, and each
/// caller still gets its own record's outcome.
/// </summary>
public sealed class SqlMetadataStoreGroupingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SqliteDatabase _database;
    private readonly SqlMetadataStore _store;

    public SqlMetadataStoreGroupingTests()
    {
        _database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        _store = new SqlMetadataStore(_database);
    }

    private static FileRecord File(string path) =>
        new(path, path, 4096, "application/octet-stream", new string('a', 64), null, "v", "198.51.100.7", DateTimeOffset.UnixEpoch, null);

    [Fact]
    public async Task RecordsArrivingWhileAWriterWorks_AreCommittedTogether_AndAllStored()
    {
        var commits = 0;
        SQLitePCL.delegate_commit counted = _ =>
        {
            Interlocked.Increment(ref commits);
            return 0;
        };

        Task[] recording;
        using (var busy = await _database.BorrowWriterAsync(CancellationToken.None))
        {
            // The writers' connection is the one every writer gets: count its commits from here on.
            SQLitePCL.raw.sqlite3_commit_hook(((SqliteConnection)busy.Connection).Handle, counted, null);
            recording = Enumerable.Range(0, 20).Select(i => _store.RecordAsync(File($"g/{i}.bin"), CancellationToken.None)).ToArray();
            await Task.Delay(50);
            Assert.All(recording, task => Assert.False(task.IsCompleted));
        }

        await Task.WhenAll(recording).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, Volatile.Read(ref commits));
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(await _store.GetAsync($"g/{i}.bin", CancellationToken.None));
        }

        GC.KeepAlive(counted);
    }

    [Fact]
    public async Task ABadRecordInAGroup_FailsAlone_AndTheOthersAreStored()
    {
        Task[] good;
        Task bad;
        using (await _database.BorrowWriterAsync(CancellationToken.None))
        {
            good = Enumerable.Range(0, 5).Select(i => _store.RecordAsync(File($"b/{i}.bin"), CancellationToken.None)).ToArray();
            bad = _store.RecordAsync(File("b/bad.bin") with { ContentType = null! }, CancellationToken.None);
        }

        await Task.WhenAll(good).WaitAsync(TimeSpan.FromSeconds(10));
        var refused = await Assert.ThrowsAsync<SqliteException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("NOT NULL", refused.Message, StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await _store.GetAsync($"b/{i}.bin", CancellationToken.None));
        }

        Assert.Null(await _store.GetAsync("b/bad.bin", CancellationToken.None));
    }

    [Fact]
    public async Task ACallerCancelledWhileWaiting_WritesNothing_AndTheOthersAreStored()
    {
        using var cancel = new CancellationTokenSource();
        Task kept;
        Task cancelled;
        using (await _database.BorrowWriterAsync(CancellationToken.None))
        {
            cancelled = _store.RecordAsync(File("c/cancelled.bin"), cancel.Token);
            kept = _store.RecordAsync(File("c/kept.bin"), CancellationToken.None);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        await kept.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await _store.GetAsync("c/kept.bin", CancellationToken.None));
        Assert.Null(await _store.GetAsync("c/cancelled.bin", CancellationToken.None));
    }

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
