using System.Diagnostics;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Engine.Metadata;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Open_ADatabaseOfTheFirstRelease_MigratesIt_KeepingItsRecords_AndOpeningAgainChangesNothing()
    {
        Directory.CreateDirectory(_dir.Path);
        using (var old = new SqliteConnection($"Data Source={_dir.Combine("metadata.db")};Pooling=false"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE files (path TEXT PRIMARY KEY NOT NULL, stored_path TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL,
                    sha256 TEXT, owner TEXT, protocol TEXT NOT NULL, client_address TEXT, created INTEGER NOT NULL, expires INTEGER,
                    downloads INTEGER NOT NULL DEFAULT 0, last_download INTEGER);
                INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('a/old.bin', 'a/old.bin', 3, 'text/plain', 'v', 1000);
                """;
            command.ExecuteNonQuery();
        }

        var options = Options.Create(new ServerOptions { DataPath = _dir.Path });
        for (var open = 0; open < 2; open++)
        {
            using var database = new SqliteDatabase(options);
            var store = new SqlMetadataStore(database);

            var record = await store.GetAsync("a/old.bin", CancellationToken.None);
            Assert.NotNull(record);
            Assert.Null(record.Processed);
            Assert.False(record.Deduplicated);
            Assert.Equal(["a/old.bin"], await store.ListUnprocessedAsync(DateTimeOffset.FromUnixTimeMilliseconds(2000), null, 10, CancellationToken.None));
            Assert.Equal(3, await store.TotalSizeAsync(CancellationToken.None));
            Assert.Equal(["files_expires", "files_owner_size", "files_stored_path", "files_unprocessed"], IndexesOfFiles(database));
            using var lease = database.Borrow();
            using var version = lease.Command("PRAGMA user_version");
            Assert.Equal((long)SqliteDatabase.SchemaVersion, version.ExecuteScalar());
        }
    }

    [Fact]
    public void AnOwnersBytes_AreSummedFromTheIndexAlone()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        using var lease = database.Borrow();
        using var plan = lease.Command("EXPLAIN QUERY PLAN " + SqlMetadataStore.UsedBytesQuery).With("@owner", "alice");
        using var reader = plan.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }

        Assert.Equal(["SEARCH files USING COVERING INDEX files_owner_size (owner=?)"], steps);
        Assert.DoesNotContain("files_owner", IndexesOfFiles(database));
    }

    private static List<string> IndexesOfFiles(SqliteDatabase database)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files' AND name NOT LIKE 'sqlite_%' ORDER BY name");
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task BorrowWriter_WhileAnotherWriterHoldsTheLock_WaitsForItsRelease()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var first = await database.BorrowWriterAsync(CancellationToken.None);
        var second = database.BorrowWriterAsync(CancellationToken.None).AsTask();

        Assert.False(second.IsCompleted);
        using (var reader = database.Borrow())
        {
            // Readers do not queue behind the writer.
            using var count = reader.Command("SELECT count(*) FROM files");
            Assert.Equal(0L, count.ScalarInt64());
        }

        first.Dispose();
        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(10));
        using var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('w.bin', 'w.bin', 1, 'text/plain', 'v', 1)");
        Assert.Equal(1, insert.ExecuteNonQuery());
    }

    [Fact]
    public async Task AnAuditEntry_WaitsInTheWritersQueue_AndLandsOnceTheWriterBeforeItIsDone()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var audit = new HmacPortal.Engine.Audit.AuditTrail(database, TimeProvider.System);
        var first = await database.BorrowWriterAsync(CancellationToken.None);

        var entry = Task.Run(() => audit.Record("file.deleted", "admin", null, "a.bin"));
        var settled = await Task.WhenAny(entry, Task.Delay(TimeSpan.FromMilliseconds(300)));

        Assert.NotSame(entry, settled);
        first.Dispose();
        await entry.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, audit.Query("file.deleted", null, 0, 10).Total);
    }

    [Fact]
    public async Task Record_TwoHundredAtOnce_AllLand()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var store = new SqlMetadataStore(database);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            store.RecordAsync(new FileRecord($"p/{i}.bin", $"p/{i}.bin", i, "application/octet-stream", null, null, "v", null, at, null), CancellationToken.None))));

        Assert.Equal(Enumerable.Range(0, 200).Sum(i => (long)i), await store.TotalSizeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Statement_OnTheSameConnection_IsTheSamePreparedCommand_WithItsParametersCleared()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var store = new SqlMetadataStore(database);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const string Sql = "SELECT size FROM files WHERE path = @path";
        await store.RecordAsync(new FileRecord("s/1.bin", "s/1.bin", 11, "text/plain", null, null, "v", null, at, null), CancellationToken.None);
        await store.RecordAsync(new FileRecord("s/2.bin", "s/2.bin", 22, "text/plain", null, null, "v", null, at, null), CancellationToken.None);

        System.Data.Common.DbCommand first, second;
        long firstSize, secondSize;
        using (var lease = database.Borrow())
        {
            first = lease.Statement(Sql).With("@path", "s/1.bin");
            firstSize = first.ScalarInt64();
        }

        using (var lease = database.Borrow())
        {
            second = lease.Statement(Sql);
            Assert.Empty(second.Parameters);
            secondSize = second.With("@path", "s/2.bin").ScalarInt64();
        }

        Assert.Same(first, second);
        Assert.Equal(11, firstSize);
        Assert.Equal(22, secondSize);
    }

    [Fact]
    public async Task Writers_AllUseOneConnection_ThatNoReaderIsLent_AndItSeesWhatItWrote()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var store = new SqlMetadataStore(database);
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        System.Data.Common.DbConnection firstWriter;
        using (var lease = await database.BorrowWriterAsync(CancellationToken.None))
        {
            firstWriter = lease.Connection;
        }

        await store.RecordAsync(new FileRecord("w/1.bin", "w/1.bin", 7, "text/plain", null, null, "v", null, at, null), CancellationToken.None);
        var readers = Enumerable.Range(0, 4).Select(_ => database.Borrow()).ToList();
        try
        {
            Assert.All(readers, reader => Assert.NotSame(firstWriter, reader.Connection));
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }

        using var again = database.BorrowWriter();
        Assert.Same(firstWriter, again.Connection);
        Assert.Equal(7, again.Statement("SELECT size FROM files WHERE path = @path").With("@path", "w/1.bin").ScalarInt64());
    }

    [Fact]
    public async Task AWrite_IsCheckpointedInTheBackground_AndNoConnectionCheckpointsInsideItsCommit()
    {
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var store = new SqlMetadataStore(database);
        using (var lease = database.Borrow())
        using (var setting = lease.Command("PRAGMA wal_autocheckpoint"))
        {
            Assert.Equal(0L, setting.ScalarInt64());
        }

        var before = database.CheckpointCount;
        await store.RecordAsync(new FileRecord("c/1.bin", "c/1.bin", 1, "text/plain", null, null, "v", null, DateTimeOffset.UnixEpoch, null), CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (database.CheckpointCount == before && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.True(database.CheckpointCount > before, "no checkpoint ran within 20 s of the write");

        // The record is in the database file itself: a reader told the file is immutable ignores the WAL.
        using var direct = new SqliteConnection($"Data Source=file:{database.DatabasePath}?immutable=1;Pooling=false");
        direct.Open();
        using var command = direct.CreateCommand();
        command.CommandText = "SELECT count(*) FROM files WHERE path = 'c/1.bin'";
        Assert.Equal(1L, command.ScalarInt64());
    }

    [Fact]
    public async Task AStreamOfWrites_WithReadersBetweenThem_StartsTheWalOverPastItsLimit_AgainAndAgain()
    {
        // A small limit, and checkpoints 20 ms after a write rather than 500, so that a few seconds of
        // writes make many rounds, each crossing the limit.
        const long Limit = 256 << 10;
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }), null, Limit, TimeSpan.FromMilliseconds(20));
        var wal = database.DatabasePath + "-wal";
        using var stop = new CancellationTokenSource();

        // Readers keep a read transaction open at almost any moment, as a busy server's do.
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var lease = database.Borrow();
                using var count = lease.Command("SELECT count(*) FROM files");
                count.ScalarInt64();
                await Task.Yield();
            }
        })).ToArray();

        // One commit after another, never pausing (so no checkpoint ever finds the WAL without a
        // newer commit), until the WAL has been seen to shrink twice, for at most 10 s or 30 000
        // commits. Each commit appends to the WAL; one that never starts over only ever grows.
        var commits = 0;
        var shrank = 0;
        long last = 0;
        var sizes = new List<long>();
        var watch = Stopwatch.StartNew();
        var sampled = TimeSpan.Zero;
        while (shrank < 2 && watch.Elapsed < TimeSpan.FromSeconds(10) && commits < 30_000)
        {
            using (var lease = await database.BorrowWriterAsync(CancellationToken.None))
            using (var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES (@path, @path, 1, 'text/plain', 'v', 1)"))
            {
                insert.With("@path", $"s/{commits}.bin").ExecuteNonQuery();
            }

            commits++;
            if (watch.Elapsed - sampled > TimeSpan.FromMilliseconds(20))
            {
                sampled = watch.Elapsed;
                var size = new FileInfo(wal).Length;
                shrank += size < last ? 1 : 0;
                last = size;
                sizes.Add(size >> 10);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(shrank >= 2, $"the WAL did not start over twice in {commits} commits ({database.WalRestarts} restarts); its sizes in KiB: {string.Join(' ', sizes)}");
        Assert.True(database.WalRestarts >= 2);
        using var reading = database.Borrow();
        using var rows = reading.Command("SELECT count(*) FROM files");
        Assert.Equal(commits, rows.ScalarInt64());
    }

    [Fact]
    public async Task AReaderOutlastingTheWait_IsLeftAlone_RatherThanHoldingTheWritersUpEveryRound()
    {
        const long Limit = 256 << 10;
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }), null, Limit, TimeSpan.FromMilliseconds(20));

        // A long read: its snapshot keeps the WAL from being emptied for as long as it lasts.
        using var reader = new SqliteConnection($"Data Source={database.DatabasePath};Pooling=false");
        reader.Open();
        using var snapshot = reader.BeginTransaction(deferred: true);
        using (var count = reader.CreateCommand())
        {
            count.Transaction = snapshot;
            count.CommandText = "SELECT count(*) FROM files";
            count.ScalarInt64();
        }

        // Commits past the limit for 1.5 s: with 20 ms rounds and a 200 ms wait per attempt,
        // trying every round would be six attempts or more.
        var commits = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1.5) && commits < 30_000)
        {
            using var lease = await database.BorrowWriterAsync(CancellationToken.None);
            using var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES (@path, @path, 1, 'text/plain', 'v', 1)");
            insert.With("@path", $"r/{commits++}.bin").ExecuteNonQuery();
        }

        Assert.Equal(1, database.WalRestartAttempts);
        Assert.Equal(0, database.WalRestarts);
        snapshot.Rollback();
    }

    [Fact]
    public async Task EmptyingTheWal_WhileAnotherConnectionHoldsTheWriteLock_GivesTheWritersBackWithinASecondOrSo()
    {
        // A one-page limit, so the round after a few commits tries to empty the WAL; 300 ms after
        // the first commit, by when the other connection holds the lock.
        using var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }), null, 4096, TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 20; i++)
        {
            using var lease = await database.BorrowWriterAsync(CancellationToken.None);
            using var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES (@path, @path, 1, 'text/plain', 'v', 1)");
            insert.With("@path", $"l/{i}.bin").ExecuteNonQuery();
        }

        // Another connection holds SQLite's write lock, as a VACUUM or the sqlite3 shell would: the
        // TRUNCATE checkpoint waits for it only as long as its wait for readers, then reports itself
        // busy (it does not fail, so the driver does not retry it for its 30 s command timeout).
        using var other = new SqliteConnection($"Data Source={database.DatabasePath};Pooling=false");
        other.Open();
        using var held = other.BeginTransaction(deferred: false);

        var deadline = Stopwatch.StartNew();
        while (database.WalRestartAttempts == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, database.WalRestartAttempts);
        var waited = Stopwatch.StartNew();
        using (await database.BorrowWriterAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(3), $"the writers waited {waited.Elapsed}");
        }

        Assert.Equal(0, database.WalRestarts);
        held.Rollback();
    }

    [Fact]
    public async Task Dispose_StopsTheCheckpointer_WhileOneIsDue()
    {
        var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        using (var lease = database.BorrowWriter())
        using (var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('d.bin', 'd.bin', 1, 'text/plain', 'v', 1)"))
        {
            insert.ExecuteNonQuery();
        }

        // Throws a TimeoutException if Dispose does not return.
        await Task.Run(database.Dispose).WaitAsync(TimeSpan.FromSeconds(10));

        using var reopened = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        using var reading = reopened.Borrow();
        using var count = reading.Command("SELECT count(*) FROM files");
        Assert.Equal(1L, count.ScalarInt64());
    }

    [Fact]
    public async Task Dispose_WhileAWriterWorks_LeavesItsConnectionToIt_WhichClosesItWhenDone()
    {
        var database = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        var lease = await database.BorrowWriterAsync(CancellationToken.None);
        var transaction = lease.Connection.BeginTransaction();
        using (var insert = lease.Command("INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('w.bin', 'w.bin', 1, 'text/plain', 'v', 1)"))
        {
            insert.Transaction = transaction;
            insert.ExecuteNonQuery();
        }

        database.Dispose();

        Assert.Equal(System.Data.ConnectionState.Open, lease.Connection.State);
        transaction.Commit();
        transaction.Dispose();
        var connection = lease.Connection;
        lease.Dispose();
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);

        using var reopened = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));
        using var reading = reopened.Borrow();
        using var count = reading.Command("SELECT count(*) FROM files WHERE path = 'w.bin'");
        Assert.Equal(1L, count.ScalarInt64());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
