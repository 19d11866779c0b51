using Npgsql;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The server's database on PostgreSQL, shared by every node. Connections come from Npgsql's pool.
/// The schema is created and migrated at start, by one node at a time (an advisory lock), and its
/// version is kept in <c>schema_version</c>. Paths sort bytewise (<c>COLLATE "C"</c>), as in SQLite.
/// When PostgreSQL cannot be reached, a breaker opens for <see cref="Cooldown"/>: every operation
/// meanwhile fails at once with <see cref="DatabaseUnavailableException"/> instead of waiting for
/// a connection timeout, and the next one after it tries again.
/// </summary>
public sealed class PostgresDatabase : Database
{
    private static readonly Action<System.Data.Common.DbConnection> Close = connection => connection.Dispose();

    /// <summary>How long the breaker stays open after PostgreSQL could not be reached.</summary>
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _source;
    private long _closedAfter;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(builder);
        Migrate();
    }

    /// <summary>Each schema version, applied in order once each, in one transaction with the version it sets.</summary>
    private static readonly string[] Migrations =
    [
        // 1: the schema of SQLite's version 1.
        """
        CREATE TABLE files (
            path TEXT COLLATE "C" PRIMARY KEY NOT NULL,
            stored_path TEXT COLLATE "C" NOT NULL,
            size BIGINT NOT NULL,
            content_type TEXT NOT NULL,
            sha256 TEXT,
            owner TEXT,
            protocol TEXT NOT NULL,
            client_address TEXT,
            created BIGINT NOT NULL,
            expires BIGINT,
            downloads BIGINT NOT NULL DEFAULT 0,
            last_download BIGINT,
            processed BIGINT,
            scan TEXT,
            deduplicated BIGINT NOT NULL DEFAULT 0,
            thumbnail BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX files_owner ON files(owner);
        CREATE INDEX files_stored_path ON files(stored_path);
        CREATE INDEX files_expires ON files(expires) WHERE expires IS NOT NULL;
        CREATE INDEX files_unprocessed ON files(created) WHERE processed IS NULL;
        CREATE TABLE shares (
            id TEXT PRIMARY KEY NOT NULL,
            owner TEXT NOT NULL,
            created BIGINT NOT NULL,
            expires BIGINT,
            password_hash TEXT,
            max_downloads BIGINT,
            downloads BIGINT NOT NULL DEFAULT 0,
            in_flight BIGINT NOT NULL DEFAULT 0,
            delete_after_download BIGINT NOT NULL DEFAULT 0,
            revoked BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX shares_owner ON shares(owner);
        CREATE TABLE share_files (
            share_id TEXT NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
            position BIGINT NOT NULL,
            path TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (share_id, position)
        );
        CREATE INDEX share_files_path ON share_files(path);
        CREATE TABLE invites (
            id TEXT PRIMARY KEY NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            quota BIGINT NOT NULL,
            max_file_size BIGINT NOT NULL,
            created BIGINT NOT NULL,
            expires BIGINT NOT NULL,
            revoked BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE audit (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            client TEXT,
            subject TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX audit_at ON audit(at);
        CREATE TABLE quota_overrides (
            owner TEXT PRIMARY KEY NOT NULL,
            bytes BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX quota_overrides_lower ON quota_overrides(lower(owner));
        """,

        // 2: the bytes stored in all, kept by a trigger, so a global quota is checked without summing
        // every record. Spread over 16 rows by backend, so that nodes recording files at the same
        // time rarely wait for each other's row lock; the total is their sum.
        """
        CREATE TABLE file_totals (shard INTEGER PRIMARY KEY NOT NULL, bytes BIGINT NOT NULL);
        INSERT INTO file_totals (shard, bytes) SELECT 0, coalesce(sum(size), 0) FROM files;
        INSERT INTO file_totals (shard, bytes) SELECT g, 0 FROM generate_series(1, 15) AS g;
        CREATE FUNCTION file_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE file_totals SET bytes = bytes
                + CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE NEW.size END
                - CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE OLD.size END
            WHERE shard = pg_backend_pid() % 16;
            RETURN NULL;
        END $$;
        CREATE TRIGGER file_totals_follow AFTER INSERT OR DELETE OR UPDATE OF size ON files
            FOR EACH ROW EXECUTE FUNCTION file_totals_follow();
        """,

        // 3: an owner's bytes summed from the index alone (a quota is checked on every upload).
        """
        CREATE INDEX files_owner_size ON files(owner, size);
        DROP INDEX files_owner;
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    public override DatabaseEngine Engine => DatabaseEngine.PostgreSql;

    public override string Location { get; }

    public override bool Unreachable => Environment.TickCount64 < Interlocked.Read(ref _closedAfter);

    public override TimeSpan RetryAfter => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((Interlocked.Read(ref _closedAfter) - Environment.TickCount64) / 1000.0)));

    public override DatabaseLease Borrow()
    {
        if (Unreachable)
        {
            throw new DatabaseUnavailableException($"{Location} was unreachable a moment ago") { RetryAfter = RetryAfter };
        }

        try
        {
            return new(_source.OpenConnection(), Close);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            Interlocked.Exchange(ref _closedAfter, Environment.TickCount64 + (long)Cooldown.TotalMilliseconds);
            throw new DatabaseUnavailableException($"{Location} is unreachable: {ex.Message}", ex) { RetryAfter = Cooldown };
        }
    }

    public override string CheckIntegrity()
    {
        // PostgreSQL keeps its own consistency; what can go wrong here is reaching it.
        using var lease = Borrow();
        using var command = lease.Command("SELECT 1");
        return command.ScalarInt64() == 1 ? "ok" : "PostgreSQL did not answer";
    }

    /// <summary>Fresh planner statistics; autovacuum gives space back by itself.</summary>
    public override bool Optimize()
    {
        using var lease = Borrow();
        using var command = lease.Command("ANALYZE files, shares, share_files, invites, audit, quota_overrides");
        command.ExecuteNonQuery();
        return false;
    }

    public int Version()
    {
        using var lease = Borrow();
        using var command = lease.Command("SELECT coalesce(max(version), 0) FROM schema_version");
        return (int)command.ScalarInt64();
    }

    public override void Dispose() => _source.Dispose();

    private void Migrate()
    {
        using var lease = Borrow();
        using var transaction = lease.Connection.BeginTransaction();
        using (var setup = lease.Command("""
            SELECT pg_advisory_xact_lock(7305286401);
            CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
            """, transaction))
        {
            setup.ExecuteNonQuery();
        }

        long current;
        using (var read = lease.Command("SELECT coalesce(max(version), 0) FROM schema_version", transaction))
        {
            current = read.ScalarInt64();
        }

        for (var version = (int)current; version < Migrations.Length; version++)
        {
            using var step = lease.Command(Migrations[version], transaction);
            step.ExecuteNonQuery();
            using var record = lease.Command("INSERT INTO schema_version (version) VALUES (@version)", transaction).With("@version", version + 1);
            record.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
