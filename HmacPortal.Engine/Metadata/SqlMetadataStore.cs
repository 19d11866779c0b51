using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The record of every stored file, in the <c>files</c> table of the server's <see cref="Database"/>
/// (SQLite or PostgreSQL, the same SQL). A power cut can lose at most the last records of a SQLite
/// database, which start-up reconciliation recreates from the files (fsynced before their record
/// is written).
/// </summary>
/// <remarks>
/// Records are committed in groups: one handed in while the writers' connection is busy waits
/// with the others that arrive meanwhile, and whichever of their callers gets the connection
/// next commits them all in one transaction. A SQLite commit writes every page it changed to the
/// log, and concurrent records change the same few pages (the table's and its indexes' last
/// leaves), so a commit of many costs little more than a commit of one.
/// </remarks>
public sealed class SqlMetadataStore(Database database) : IMetadataStore
{
    private const string Columns = "path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed, scan, deduplicated, thumbnail";
    private const string SelectByPath = $"SELECT {Columns} FROM files WHERE path = @path";
    private const string Upsert = """
        INSERT INTO files (path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed, scan, deduplicated, thumbnail)
        VALUES (@path, @stored, @size, @type, @sha, @owner, @protocol, @client, @created, @expires, @downloads, @last, @processed, NULL, 0, 0)
        ON CONFLICT (path) DO UPDATE SET stored_path = excluded.stored_path, size = excluded.size, content_type = excluded.content_type,
            sha256 = excluded.sha256, owner = excluded.owner, protocol = excluded.protocol, client_address = excluded.client_address,
            created = excluded.created, expires = excluded.expires, downloads = excluded.downloads, last_download = excluded.last_download,
            processed = excluded.processed, scan = NULL, deduplicated = 0, thumbnail = 0
        """;

    // Records handed in and not yet taken into a commit, oldest first.
    private readonly Lock _waitingGate = new();
    private List<WaitingRecord> _waiting = [];

    /// <summary>
    /// Records <paramref name="record"/> (replacing one of the same path). Cancelling stops the wait
    /// only while the record is not yet in a commit; once it is, the call returns that commit's outcome.
    /// </summary>
    public async Task RecordAsync(FileRecord record, CancellationToken cancellationToken)
    {
        var mine = new WaitingRecord(record);
        lock (_waitingGate)
        {
            _waiting.Add(mine);
        }

        DatabaseLease lease;
        try
        {
            lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_waitingGate)
            {
                if (_waiting.Remove(mine))
                {
                    // Never taken into a commit: nothing of it was written.
                    throw;
                }
            }

            // Another caller's commit has it: its outcome is this call's.
            await mine.Done.Task.ConfigureAwait(false);
            return;
        }

        using (lease)
        {
            List<WaitingRecord> group;
            lock (_waitingGate)
            {
                group = _waiting;
                _waiting = [];
            }

            // Empty when an earlier caller's commit took this record along.
            if (group.Count > 0)
            {
                await CommitAsync(lease, group).ConfigureAwait(false);
            }
        }

        await mine.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Commits <paramref name="group"/> in one transaction and completes each record's wait. If that
    /// fails, each record is tried alone, so that one bad record fails only its own caller.
    /// Not cancellable: it carries other callers' records.
    /// </summary>
    private static async Task CommitAsync(DatabaseLease lease, List<WaitingRecord> group)
    {
        if (group.Count > 1)
        {
            try
            {
                await using var transaction = await lease.Connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
                foreach (var waiting in group)
                {
                    await InsertAsync(lease, waiting.Record, transaction).ConfigureAwait(false);
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                foreach (var waiting in group)
                {
                    waiting.Done.TrySetResult();
                }

                return;
            }
            catch (Exception)
            {
                // Rolled back; each alone below, where every record's wait ends with its own outcome.
            }
        }

        foreach (var waiting in group)
        {
            try
            {
                await InsertAsync(lease, waiting.Record, null).ConfigureAwait(false);
                waiting.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                waiting.Done.TrySetException(ex);
            }
        }
    }

    private static async Task InsertAsync(DatabaseLease lease, FileRecord record, DbTransaction? transaction)
    {
        var command = lease.Statement(Upsert)
            .With("@path", record.Path).With("@stored", record.StoredPath).With("@size", record.Size).With("@type", record.ContentType)
            .With("@sha", record.Sha256).With("@owner", record.Owner).With("@protocol", record.Protocol).With("@client", record.ClientAddress)
            .With("@created", record.Created).With("@expires", record.Expires).With("@downloads", record.Downloads)
            .With("@last", record.LastDownload).With("@processed", record.Processed);
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private sealed class WaitingRecord(FileRecord record)
    {
        public FileRecord Record { get; } = record;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        var command = lease.Statement(SelectByPath).With("@path", path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        var conditions = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            conditions.Add($"(path {database.Like} @search ESCAPE '\\' OR owner {database.Like} @search ESCAPE '\\')");
        }

        if (query.Owner is not null)
        {
            conditions.Add("owner = @owner");
        }

        if (query.TypePrefix is not null)
        {
            conditions.Add("substr(content_type, 1, length(@type)) = @type");
        }

        if (query.MinSize is not null)
        {
            conditions.Add("size >= @min");
        }

        if (query.UploadedAfter is not null)
        {
            conditions.Add("created > @after");
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

        await using var count = lease.Command($"SELECT count(*) FROM files {where}");
        await using var select = lease.Command($"SELECT {Columns} FROM files {where} ORDER BY {order}, path LIMIT @take OFFSET @skip");
        var pattern = string.IsNullOrWhiteSpace(query.Search) ? null
            : "%" + query.Search!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        foreach (var command in new[] { count, select })
        {
            if (pattern is not null)
            {
                command.With("@search", pattern);
            }

            if (query.Owner is not null)
            {
                command.With("@owner", query.Owner);
            }

            if (query.TypePrefix is not null)
            {
                command.With("@type", query.TypePrefix);
            }

            if (query.MinSize is not null)
            {
                command.With("@min", query.MinSize.Value);
            }

            if (query.UploadedAfter is { } after)
            {
                command.With("@after", after);
            }
        }

        select.With("@take", Math.Clamp(query.Take, 1, 500)).With("@skip", Math.Max(0, query.Skip));
        var total = (int)Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        var items = new List<FileRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(Read(reader));
        }

        return new FilePage(items, total);
    }

    public async Task<long> TotalSizeAsync(CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        // Kept by the database's triggers as records come and go: one row (a few with PostgreSQL), not every record.
        await using var command = lease.Command("SELECT CAST(coalesce(sum(bytes), 0) AS BIGINT) FROM file_totals");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An owner's bytes: read from the (owner, size) index alone, with no row looked up.</summary>
    internal const string UsedBytesQuery = "SELECT CAST(coalesce(sum(size), 0) AS BIGINT) FROM files WHERE owner = @owner";

    public async Task<long> UsedBytesAsync(string owner, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        await using var command = lease.Command(UsedBytesQuery).With("@owner", owner);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<string>> ListExpiredAsync(DateTimeOffset now, DateTimeOffset? createdBefore, int take, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        await using var command = lease.Command("""
            SELECT path FROM files
            WHERE (expires IS NOT NULL AND expires <= @now) OR (@before IS NOT NULL AND expires IS NULL AND created < @before)
            ORDER BY coalesce(expires, created) LIMIT @take
            """).With("@now", now).With("@before", createdBefore).With("@take", take);
        return await ReadPathsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        using var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Command("UPDATE files SET expires = @expires WHERE path = @path").With("@path", path).With("@expires", expires);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<string>> ListUnprocessedAsync(DateTimeOffset createdBefore, string? after, int take, CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        await using var command = lease.Command("SELECT path FROM files WHERE processed IS NULL AND created < @before AND (@after IS NULL OR path > @after) ORDER BY path LIMIT @take")
            .With("@before", createdBefore).With("@after", after).With("@take", take);
        return await ReadPathsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SetProcessedAsync(string path, ProcessingState state, CancellationToken cancellationToken)
    {
        using var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Command("UPDATE files SET processed = @at, scan = @scan, deduplicated = @dedup, thumbnail = @thumb WHERE path = @path")
            .With("@path", path).With("@at", state.At).With("@scan", state.Scan).With("@dedup", state.Deduplicated).With("@thumb", state.HasThumbnail);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Command("DELETE FROM files WHERE path = @path").With("@path", path);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlySet<string>> DeleteManyAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken)
    {
        using var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Command("DELETE FROM files WHERE path = @path", transaction);
        var path = command.Slot("@path", DbType.String);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var each in paths)
        {
            path.Value = each;
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                deleted.Add(each);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    public async Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken)
    {
        using var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Command(
            $"UPDATE files SET downloads = downloads + @count, last_download = {database.Greatest("coalesce(last_download, 0)", "@at")} WHERE path = @path", transaction);
        var path = command.Slot("@path", DbType.String);
        var count = command.Slot("@count", DbType.Int64);
        var at = command.Slot("@at", DbType.Int64);
        foreach (var tally in tallies)
        {
            path.Value = tally.Path;
            count.Value = tally.Count;
            at.Value = tally.Last.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<(string Path, string StoredPath, long Size, bool Quarantined)> ListPathsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lease = database.Borrow();
        await using var command = lease.Command("SELECT path, stored_path, size, CASE WHEN scan LIKE 'infected%' THEN 1 ELSE 0 END FROM files");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) != 0);
        }
    }

    /// <summary>The first column of every row, for queries that list paths.</summary>
    private static async Task<IReadOnlyList<string>> ReadPathsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var paths = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            paths.Add(reader.GetString(0));
        }

        return paths;
    }

    private static DateTimeOffset? Time(DbDataReader r, int column) =>
        r.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(column));

    private static FileRecord Read(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetInt64(2),
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        Time(r, 9),
        r.GetInt64(10),
        Time(r, 11))
    {
        Processed = Time(r, 12),
        Scan = r.IsDBNull(13) ? null : r.GetString(13),
        Deduplicated = r.GetInt64(14) != 0,
        HasThumbnail = r.GetInt64(15) != 0,
    };
}
