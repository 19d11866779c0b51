using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The record of every stored file, in the <c>files</c> table of <see cref="SqliteDatabase"/>. A power
/// cut can lose at most the last records, which start-up reconciliation recreates from the files
/// (fsynced before their record is written).
/// </summary>
public sealed class SqliteMetadataStore(SqliteDatabase database) : IMetadataStore
{
    public Task RecordAsync(FileRecord record, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO files (path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed)
            VALUES ($path, $stored, $size, $type, $sha, $owner, $protocol, $client, $created, $expires, $downloads, $last, $processed)
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
        command.Parameters.AddWithValue("$processed", (object?)record.Processed?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed, scan, deduplicated, thumbnail FROM files WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? Read(reader) : null);
    }

    public Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        var conditions = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            conditions.Add("(path LIKE $search ESCAPE '\\' OR owner LIKE $search ESCAPE '\\')");
        }

        if (query.Owner is not null)
        {
            conditions.Add("owner = $owner");
        }

        if (query.TypePrefix is not null)
        {
            conditions.Add("substr(content_type, 1, length($type)) = $type");
        }

        if (query.MinSize is not null)
        {
            conditions.Add("size >= $min");
        }

        if (query.UploadedAfter is not null)
        {
            conditions.Add("created > $after");
        }

        var where = conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);
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
        select.CommandText = $"SELECT path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed, scan, deduplicated, thumbnail FROM files {where} ORDER BY {order}, path LIMIT $take OFFSET $skip";
        foreach (var command in new[] { count, select })
        {
            if (query.Owner is not null)
            {
                command.Parameters.AddWithValue("$owner", query.Owner);
            }

            if (query.TypePrefix is not null)
            {
                command.Parameters.AddWithValue("$type", query.TypePrefix);
            }

            if (query.MinSize is not null)
            {
                command.Parameters.AddWithValue("$min", query.MinSize.Value);
            }

            if (query.UploadedAfter is { } after)
            {
                command.Parameters.AddWithValue("$after", after.ToUnixTimeMilliseconds());
            }
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
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

    public Task<long> TotalSizeAsync(CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("SELECT coalesce(sum(size), 0) FROM files");
        return Task.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<long> UsedBytesAsync(string owner, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("SELECT coalesce(sum(size), 0) FROM files WHERE owner = $owner");
        command.Parameters.AddWithValue("$owner", owner);
        return Task.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<IReadOnlyList<string>> ListExpiredAsync(DateTimeOffset now, DateTimeOffset? createdBefore, int take, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("""
            SELECT path FROM files
            WHERE (expires IS NOT NULL AND expires <= $now) OR ($before IS NOT NULL AND expires IS NULL AND created < $before)
            ORDER BY coalesce(expires, created) LIMIT $take
            """);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$before", (object?)createdBefore?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.AddWithValue("$take", take);
        return Task.FromResult(ReadPaths(command));
    }

    public Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("UPDATE files SET expires = $expires WHERE path = $path");
        command.Parameters.AddWithValue("$path", path);
        command.Parameters.AddWithValue("$expires", (object?)expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        return Task.FromResult(command.ExecuteNonQuery() == 1);
    }

    public Task<IReadOnlyList<string>> ListUnprocessedAsync(DateTimeOffset createdBefore, string? after, int take, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("SELECT path FROM files WHERE processed IS NULL AND created < $before AND ($after IS NULL OR path > $after) ORDER BY path LIMIT $take");
        command.Parameters.AddWithValue("$before", createdBefore.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("$take", take);
        return Task.FromResult(ReadPaths(command));
    }

    public Task<bool> SetProcessedAsync(string path, ProcessingState state, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("UPDATE files SET processed = $at, scan = $scan, deduplicated = $dedup, thumbnail = $thumb WHERE path = $path");
        command.Parameters.AddWithValue("$path", path);
        command.Parameters.AddWithValue("$at", state.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$scan", (object?)state.Scan ?? DBNull.Value);
        command.Parameters.AddWithValue("$dedup", state.Deduplicated ? 1 : 0);
        command.Parameters.AddWithValue("$thumb", state.HasThumbnail ? 1 : 0);
        return Task.FromResult(command.ExecuteNonQuery() == 1);
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        using var command = lease.Connection.CreateCommand();
        command.CommandText = "DELETE FROM files WHERE path = $path";
        command.Parameters.AddWithValue("$path", path);
        return Task.FromResult(command.ExecuteNonQuery() > 0);
    }

    public Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
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

    public async IAsyncEnumerable<(string Path, string StoredPath, long Size, bool Quarantined)> ListPathsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT path, stored_path, size, coalesce(scan LIKE 'infected%', 0) FROM files";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3) != 0);
        }
    }

    /// <summary>The first column of every row, for queries that list paths.</summary>
    private static IReadOnlyList<string> ReadPaths(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var paths = new List<string>();
        while (reader.Read())
        {
            paths.Add(reader.GetString(0));
        }

        return paths;
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
        r.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)))
    {
        Processed = r.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12)),
        Scan = r.IsDBNull(13) ? null : r.GetString(13),
        Deduplicated = r.GetInt64(14) != 0,
        HasThumbnail = r.GetInt64(15) != 0,
    };
}
