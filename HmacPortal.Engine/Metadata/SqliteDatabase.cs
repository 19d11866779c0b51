using HmacPortal.Engine.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The server's database, <c>metadata.db</c> in <c>data_path</c> (never under the served tree), in
/// WAL mode so readers never wait for writers. Commits use <c>synchronous = NORMAL</c>: a crash of
/// the process loses nothing, and a power cut can lose at most the last commits. Connections are
/// opened and configured once, then lent out one operation at a time. SQLite takes one writer at a
/// time, so this process's writers queue for it (<see cref="BorrowWriterAsync"/>) rather than
/// meet its lock and sleep.
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _connectionString;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _idle = [];
    private readonly Action<System.Data.Common.DbConnection> _giveBack;
    private readonly Action<System.Data.Common.DbConnection> _giveBackWriter;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteDatabase(IOptions<ServerOptions> options)
    {
        _giveBack = given => _idle.Add((SqliteConnection)given);
        _giveBackWriter = given =>
        {
            _idle.Add((SqliteConnection)given);
            _writer.Release();
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
            CREATE INDEX IF NOT EXISTS files_owner ON files(owner);
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

    public override DatabaseLease Borrow() => new(_idle.TryTake(out var connection) ? connection : Open(), _giveBack);

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

    /// <summary>A connection for the writer that holds the queue; the queue is let go when the lease is, or if no connection opens.</summary>
    private DatabaseLease WriterLease()
    {
        try
        {
            return new(_idle.TryTake(out var connection) ? connection : Open(), _giveBackWriter);
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
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
