using System.Runtime.CompilerServices;
using HmacPortal.Engine.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The metadata database, <c>metadata.db</c> in <c>data_path</c> (never under the served tree), in WAL
/// mode so readers never wait for writers. Commits use <c>synchronous = NORMAL</c>: a crash of the
/// process loses nothing, and a power cut can lose at most the last records, which start-up
/// reconciliation recreates from the files (fsynced before their record is written). Connections
/// are opened and configured once, then reused.
/// </summary>
public sealed class SqliteMetadataStore : IMetadataStore, IDisposable
{
    private readonly string _connectionString;
    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteConnection> _idle = [];

    public SqliteMetadataStore(IOptions<ServerOptions> options)
    {
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
        var connection = Open();
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
            """);
        Return(connection);
    }

    public string DatabasePath { get; }

    public Task RecordAsync(FileRecord record, CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO files (path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download)
            VALUES ($path, $stored, $size, $type, $sha, $owner, $protocol, $client, $created, $expires, $downloads, $last)
            """;
        command.Parameters.AddWithValue("$path", record.Path);
        command.Parameters.AddWithValue("$stored", record.StoredPath);
        command.Parameters.AddWithValue("$size", record.Size);
        command.Parameters.AddWithValue("$type", record.ContentType);
        command.Parameters.AddWithValue("$sha", (object?)record.Sha256 ?? DBNull.Value);
        command.Parameters.AddWithValue("$owner", (object?)record.Owner ?? DBNull.Value);
        command.Parameters.AddWithValue("$protocol", record.Protocol);
        command.Parameters.AddWithValue("$client", (object?)record.ClientAddress ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", record.Created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", (object?)record.Expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$downloads", record.Downloads);
        command.Parameters.AddWithValue("$last", (object?)record.LastDownload?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download FROM files WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? Read(reader) : null);
    }

    public Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        var where = string.IsNullOrWhiteSpace(query.Search) ? string.Empty : "WHERE path LIKE $search ESCAPE '\\' OR owner LIKE $search ESCAPE '\\'";
        var order = query.Sort switch
        {
            FileSort.Oldest => "created ASC",
            FileSort.Largest => "size DESC",
            FileSort.Smallest => "size ASC",
            FileSort.Name => "path ASC",
            _ => "created DESC",
        };

        using var count = lease.Connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM files {where}";
        using var select = lease.Connection.CreateCommand();
        select.CommandText = $"SELECT path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download FROM files {where} ORDER BY {order}, path LIMIT $take OFFSET $skip";
        if (where.Length > 0)
        {
            var pattern = "%" + query.Search!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            count.Parameters.AddWithValue("$search", pattern);
            select.Parameters.AddWithValue("$search", pattern);
        }

        select.Parameters.AddWithValue("$take", Math.Clamp(query.Take, 1, 500));
        select.Parameters.AddWithValue("$skip", Math.Max(0, query.Skip));
        var total = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var items = new List<FileRecord>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            items.Add(Read(reader));
        }

        return Task.FromResult(new FilePage(items, total));
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = "DELETE FROM files WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        return Task.FromResult(command.ExecuteNonQuery() > 0);
    }

    public Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        using var transaction = lease.Connection.BeginTransaction();
        using var command = lease.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE files SET downloads = downloads + $count, last_download = max(coalesce(last_download, 0), $at) WHERE path = $path";
        var path = command.Parameters.Add("$path", SqliteType.Text);
        var count = command.Parameters.Add("$count", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        foreach (var tally in tallies)
        {
            path.Value = tally.Path;
            count.Value = tally.Count;
            at.Value = tally.Last.ToUnixTimeMilliseconds();
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<(string Path, string StoredPath)> ListPathsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lease = Borrow();
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT path, stored_path FROM files";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return (reader.GetString(0), reader.GetString(1));
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private Lease Borrow() => new(this, _idle.TryTake(out var connection) ? connection : Open());

    private void Return(SqliteConnection connection) => _idle.Add(connection);

    public void Dispose()
    {
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static FileRecord Read(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        r.GetInt64(10),
        r.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)));

    /// <summary>A configured connection borrowed for one operation and given back afterwards.</summary>
    private readonly struct Lease(SqliteMetadataStore store, SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public void Dispose() => store.Return(Connection);
    }
}
