using HmacPortal.Engine.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The server's database, <c>metadata.db</c> in <c>data_path</c> (never under the served tree), in
/// WAL mode so readers never wait for writers. Commits use <c>synchronous = NORMAL</c>: a crash of
/// the process loses nothing, and a power cut can lose at most the commits of the last
/// <see cref="CheckpointDelay"/>. Connections are opened and configured once, then lent out one
/// operation at a time. SQLite takes one writer at a time, so this process's writers queue for it
/// (<see cref="BorrowWriterAsync"/>) rather than meet its lock and sleep.
/// </summary>
/// <remarks>
/// Checkpoints (copying the WAL into the database, with an fsync of each) run on a thread of their
/// own, at most <see cref="CheckpointDelay"/> after a write, and never inside a writer's commit:
/// SQLite's automatic checkpoint would make the writer that crosses its threshold, and every
/// writer queued behind it, wait for two flushes to disk. The WAL starts over from its beginning
/// only when a checkpoint has copied all of it, which under a steady stream of writes never
/// happens by itself; once it holds more than <see cref="WalLimitBytes"/>, the checkpointer queues
/// with the writers for a moment to let it start over (<see cref="RestartWalAsync"/>), so it stays
/// bounded however long the stream lasts.
/// </remarks>
public sealed class SqliteDatabase : Database
{
    private readonly string _connectionString;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _idle = [];
    private readonly Action<System.Data.Common.DbConnection> _giveBack;
    private readonly Action<System.Data.Common.DbConnection> _giveBackWriter;
    private readonly SemaphoreSlim _writer = new(1, 1);

    // The writers' own connection, used only by the holder of _writer. With every write on one
    // connection its page cache stays valid from one commit to the next; an idle connection taken
    // at random would find the database changed by another and read its pages again.
    private SqliteConnection? _writerConnection;
    private volatile bool _disposed;

    // The prepared statements of each connection, by SQL. A connection is lent to one lease at a
    // time, so its dictionary is only ever used by one thread at a time; closing the connection
    // finalizes them.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> _statements = new();
    private readonly Func<System.Data.Common.DbConnection, string, System.Data.Common.DbCommand> _statement;

    /// <summary>How long after a write its checkpoint (and so its flush to disk) may wait, gathering others.</summary>
    public static readonly TimeSpan CheckpointDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The WAL size past which the checkpointer empties it, and the size a WAL that SQLite starts over by itself is cut back to.</summary>
    public const long DefaultWalLimitBytes = 64L << 20;

    /// <summary>
    /// How long the checkpoint that lets the WAL start over waits for readers still reading from it,
    /// with the writers queued behind it; past that it gives up until the next round.
    /// </summary>
    private const int RestartReaderWaitMilliseconds = 200;

    private const int BusyTimeoutMilliseconds = 30_000;

    /// <summary>How long the checkpointer leaves the WAL be after a reader outlasted its wait, first and at most (doubling between).</summary>
    private static readonly TimeSpan FirstRestartBackoff = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxRestartBackoff = TimeSpan.FromSeconds(60);

    private readonly ILogger? _logger;
    private readonly SemaphoreSlim _written = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checkpoints;
    private int _unsynced;
    private long _checkpointCount;
    private long _walRestarts;
    private long _walRestartAttempts;

    // Used only by the checkpoint loop: when it may next try to empty the WAL, and how long it
    // waited after the last reader that outlasted it.
    private long _nextRestartTimestamp;
    private TimeSpan _restartBackoff;
    private readonly TimeSpan _checkpointDelay;

    // SQLite's page size, which is also the size of the page each WAL frame holds.
    private readonly long _pageSize;

    public SqliteDatabase(IOptions<ServerOptions> options, ILogger<SqliteDatabase>? logger = null)
        : this(options, logger, DefaultWalLimitBytes, CheckpointDelay)
    {
    }

    /// <param name="walLimitBytes">The WAL size past which it is made to start over.</param>
    /// <param name="checkpointDelay">How long after a write its checkpoint may wait.</param>
    internal SqliteDatabase(IOptions<ServerOptions> options, ILogger<SqliteDatabase>? logger, long walLimitBytes, TimeSpan checkpointDelay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(walLimitBytes);
        WalLimitBytes = walLimitBytes;
        _checkpointDelay = checkpointDelay;
        _logger = logger;
        _giveBack = given =>
        {
            _idle.Add((SqliteConnection)given);
            NoteWrite();
        };
        _statement = (connection, sql) =>
        {
            var kept = _statements.GetOrCreateValue((SqliteConnection)connection);
            if (!kept.TryGetValue(sql, out var command))
            {
                command = ((SqliteConnection)connection).CreateCommand();
                command.CommandText = sql;
                kept.Add(sql, command);
            }

            return command;
        };
        _giveBackWriter = _ =>
        {
            if (_disposed)
            {
                // Disposed while this writer worked: its connection is closed by the writer, never under it.
                CloseWriterConnection();
            }

            _writer.Release();
            NoteWrite();
        };
        Directory.CreateDirectory(options.Value.DataPath);
        DatabasePath = Path.Combine(options.Value.DataPath, "metadata.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        using var lease = Borrow();
        var connection = (SqliteConnection)lease.Connection;
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY NOT NULL,
                stored_path TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                sha256 TEXT,
                owner TEXT,
                protocol TEXT NOT NULL,
                client_address TEXT,
                created INTEGER NOT NULL,
                expires INTEGER,
                downloads INTEGER NOT NULL DEFAULT 0,
                last_download INTEGER
            );
            CREATE INDEX IF NOT EXISTS files_stored_path ON files(stored_path);
            CREATE INDEX IF NOT EXISTS files_expires ON files(expires) WHERE expires IS NOT NULL;
            CREATE TABLE IF NOT EXISTS shares (
                id TEXT PRIMARY KEY NOT NULL,
                owner TEXT NOT NULL,
                created INTEGER NOT NULL,
                expires INTEGER,
                password_hash TEXT,
                max_downloads INTEGER,
                downloads INTEGER NOT NULL DEFAULT 0,
                in_flight INTEGER NOT NULL DEFAULT 0,
                delete_after_download INTEGER NOT NULL DEFAULT 0,
                revoked INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX IF NOT EXISTS shares_owner ON shares(owner);
            CREATE TABLE IF NOT EXISTS share_files (
                share_id TEXT NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                path TEXT NOT NULL,
                PRIMARY KEY (share_id, position)
            );
            CREATE INDEX IF NOT EXISTS share_files_path ON share_files(path);
            CREATE TABLE IF NOT EXISTS invites (
                id TEXT PRIMARY KEY NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                label TEXT NOT NULL,
                quota INTEGER NOT NULL,
                max_file_size INTEGER NOT NULL,
                created INTEGER NOT NULL,
                expires INTEGER NOT NULL,
                revoked INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                action TEXT NOT NULL,
                actor TEXT NOT NULL,
                client TEXT,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
            CREATE TABLE IF NOT EXISTS quota_overrides (
                owner TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                bytes INTEGER NOT NULL
            );
            """);
        Migrate(connection);
        using (var pageSize = lease.Command("PRAGMA page_size"))
        {
            _pageSize = pageSize.ScalarInt64();
        }

        _checkpoints = Task.Run(CheckpointLoopAsync);
    }

    /// <summary>How many background checkpoints have run.</summary>
    public long CheckpointCount => Interlocked.Read(ref _checkpointCount);

    /// <summary>How many times the checkpointer has emptied a WAL over <see cref="WalLimitBytes"/>.</summary>
    public long WalRestarts => Interlocked.Read(ref _walRestarts);

    /// <summary>How many times the checkpointer has tried to, each holding the writers up for at most its wait for readers.</summary>
    public long WalRestartAttempts => Interlocked.Read(ref _walRestartAttempts);

    /// <summary>The WAL size past which the checkpointer empties it, and the size a WAL that SQLite starts over by itself is cut back to.</summary>
    public long WalLimitBytes { get; }

    /// <summary>
    /// A connection came back, perhaps after a write: wakes the checkpointer if it is not already
    /// due. (A checkpoint after a read finds nothing new in the WAL and costs no flush.)
    /// </summary>
    private void NoteWrite()
    {
        // A lease given back after Dispose (a job finishing during shutdown) wakes nothing.
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        if (Interlocked.Exchange(ref _unsynced, 1) == 0)
        {
            _written.Release();
        }
    }

    private async Task CheckpointLoopAsync()
    {
        try
        {
            while (true)
            {
                await _written.WaitAsync(_stopping.Token).ConfigureAwait(false);
                await Task.Delay(_checkpointDelay, _stopping.Token).ConfigureAwait(false);

                // Writes from here on wake the next round.
                Volatile.Write(ref _unsynced, 0);
                if (Checkpoint("PASSIVE") * _pageSize > WalLimitBytes && System.Diagnostics.Stopwatch.GetTimestamp() >= _nextRestartTimestamp)
                {
                    await RestartWalAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Copies what the WAL holds into the database, flushing both to disk: PASSIVE without waiting
    /// for readers or writers, TRUNCATE also waiting for the readers still reading from the WAL
    /// and then emptying it. What it cannot copy yet stays in the WAL for the next one. Returns
    /// how many frames the WAL holds (0 when the checkpoint failed).
    /// </summary>
    private long Checkpoint(string mode, int? busyTimeoutMilliseconds = null)
    {
        try
        {
            using var lease = new DatabaseLease(_idle.TryTake(out var idle) ? idle : Open(), given => _idle.Add((SqliteConnection)given));
            var connection = (SqliteConnection)lease.Connection;
            if (busyTimeoutMilliseconds is { } shorter)
            {
                Execute(connection, $"PRAGMA busy_timeout = {shorter}");
            }

            try
            {
                using var command = lease.Command($"PRAGMA wal_checkpoint({mode})");
                using var reader = command.ExecuteReader();

                // One row: whether it had to stop short (busy), the WAL's frames, the frames copied.
                var (busy, frames) = reader.Read() ? (reader.GetInt64(0) != 0, reader.GetInt64(1)) : (true, 0L);
                Interlocked.Increment(ref _checkpointCount);
                if (mode == "TRUNCATE" && !busy)
                {
                    Interlocked.Increment(ref _walRestarts);
                }

                return frames;
            }
            finally
            {
                if (busyTimeoutMilliseconds is not null)
                {
                    Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}");
                }
            }
        }
        catch (SqliteException ex)
        {
            // The WAL keeps every commit; the next write brings the next attempt.
            if (_logger is not null)
            {
                MetadataLog.CheckpointFailed(_logger, ex.Message);
            }

            return 0;
        }
    }

    /// <summary>
    /// Makes a WAL that has grown past <see cref="WalLimitBytes"/> start over. SQLite starts it
    /// over by itself only when a checkpoint has copied all of it and no reader still reads from
    /// it; under a steady stream of writes the first never happens, as each checkpoint ends behind
    /// a newer commit. Queued with the writers (so none commits meanwhile), a TRUNCATE checkpoint
    /// copies the little the PASSIVE one before it left, waits briefly for the readers still
    /// reading from the WAL, and empties it.
    /// </summary>
    /// <remarks>
    /// A reader that outlasts the wait (a long query, an integrity check, a copy of the database)
    /// would make every round hold the writers up for nothing; after one, the checkpointer leaves
    /// the WAL be for <see cref="FirstRestartBackoff"/>, doubling up to <see cref="MaxRestartBackoff"/>.
    /// </remarks>
    private async Task RestartWalAsync()
    {
        var emptied = WalRestarts;
        await _writer.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _walRestartAttempts);
            Checkpoint("TRUNCATE", RestartReaderWaitMilliseconds);
        }
        finally
        {
            _writer.Release();
        }

        if (WalRestarts > emptied)
        {
            _restartBackoff = TimeSpan.Zero;
            return;
        }

        _restartBackoff = _restartBackoff == TimeSpan.Zero ? FirstRestartBackoff : TimeSpan.FromTicks(Math.Min(_restartBackoff.Ticks * 2, MaxRestartBackoff.Ticks));
        _nextRestartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_restartBackoff.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>
    /// The schema changes since the first release, applied in order once each, recorded in
    /// <c>PRAGMA user_version</c>; each runs in a transaction with the version it sets.
    /// </summary>
    private static readonly string[] Migrations =
    [
        // 1: post-processing state of each file (null processed = still to do).
        """
        ALTER TABLE files ADD COLUMN processed INTEGER;
        ALTER TABLE files ADD COLUMN scan TEXT;
        ALTER TABLE files ADD COLUMN deduplicated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE files ADD COLUMN thumbnail INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS files_unprocessed ON files(created) WHERE processed IS NULL;
        """,

        // 2: the bytes stored in all, kept by triggers, so a global quota is checked without summing every record.
        """
        CREATE TABLE file_totals (shard INTEGER PRIMARY KEY NOT NULL, bytes INTEGER NOT NULL);
        INSERT INTO file_totals (shard, bytes) SELECT 0, coalesce(sum(size), 0) FROM files;
        CREATE TRIGGER file_totals_insert AFTER INSERT ON files BEGIN UPDATE file_totals SET bytes = bytes + NEW.size WHERE shard = 0; END;
        CREATE TRIGGER file_totals_delete AFTER DELETE ON files BEGIN UPDATE file_totals SET bytes = bytes - OLD.size WHERE shard = 0; END;
        CREATE TRIGGER file_totals_update AFTER UPDATE OF size ON files BEGIN UPDATE file_totals SET bytes = bytes - OLD.size + NEW.size WHERE shard = 0; END;
        """,

        // 3: an owner's bytes summed from the index alone (a quota is checked on every upload).
        """
        CREATE INDEX IF NOT EXISTS files_owner_size ON files(owner, size);
        DROP INDEX IF EXISTS files_owner;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    private static void Migrate(SqliteConnection connection)
    {
        for (var version = UserVersion(connection, null); version < Migrations.Length; version = UserVersion(connection, null))
        {
            using var transaction = connection.BeginTransaction();
            if (UserVersion(connection, transaction) == version)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = Migrations[version] + $"PRAGMA user_version = {version + 1};";
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private static int UserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public string DatabasePath { get; }

    public override DatabaseEngine Engine => DatabaseEngine.Sqlite;

    public override string Location => DatabasePath;

    public override DatabaseLease Borrow() => new(_idle.TryTake(out var connection) ? connection : Open(), _giveBack, _statement);

    public override async ValueTask<DatabaseLease> BorrowWriterAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        return WriterLease();
    }

    public override DatabaseLease BorrowWriter()
    {
        _writer.Wait();
        return WriterLease();
    }

    /// <summary>The writers' connection for the writer that holds the queue; the queue is let go when the lease is, or if the connection cannot open.</summary>
    private DatabaseLease WriterLease()
    {
        try
        {
            return new(_writerConnection ??= Open(), _giveBackWriter, _statement);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override string CheckIntegrity()
    {
        using var lease = Borrow();
        using var command = lease.Command("PRAGMA quick_check");
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "no answer";
    }

    /// <summary>
    /// SQLite's own optimisation, then a vacuum once a quarter or more of the database is free
    /// pages (after many deletions); writers wait meanwhile, so it is not done for less.
    /// </summary>
    public override bool Optimize()
    {
        using var lease = Borrow();
        using (var optimize = lease.Command("PRAGMA optimize"))
        {
            optimize.ExecuteNonQuery();
        }

        long Pragma(string name)
        {
            using var command = lease.Command($"PRAGMA {name}");
            return command.ScalarInt64();
        }

        var pages = Pragma("page_count");
        if (pages < MinPagesToVacuum || Pragma("freelist_count") * 4 < pages)
        {
            return false;
        }

        using var vacuum = lease.Command("VACUUM");
        vacuum.ExecuteNonQuery();
        return true;
    }

    /// <summary>Below this many pages (4 MiB at SQLite's 4 KiB) the free space is not worth a vacuum.</summary>
    private const long MinPagesToVacuum = 1024;

    public override void Dispose()
    {
        _stopping.Cancel();
        _checkpoints.GetAwaiter().GetResult();
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }

        // The writers' connection is closed here only if no writer holds it; otherwise its writer
        // closes it when it is done.
        _disposed = true;
        if (_writer.Wait(TimeSpan.Zero))
        {
            CloseWriterConnection();
            _writer.Release();
        }
    }

    /// <summary>Closes the writers' connection; only the holder of the writers' queue calls it.</summary>
    private void CloseWriterConnection()
    {
        _writerConnection?.Dispose();
        _writerConnection = null;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WalLimitBytes};");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
