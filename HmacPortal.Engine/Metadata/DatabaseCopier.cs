using System.Data;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// Copies every table of one database into another that is still empty (<c>--migrate-metadata</c>:
/// a single node's SQLite into the PostgreSQL its cluster will share). The copy is one transaction
/// on the target, so it is all there or not at all, and each table's row count is checked before
/// it commits. The source is only read.
/// </summary>
public static class DatabaseCopier
{
    /// <summary>The tables in an order that satisfies their references, with their columns (audit ids are made anew, in the same order).</summary>
    private static readonly (string Table, string Columns, string Order)[] Tables =
    [
        ("files", "path, stored_path, size, content_type, sha256, owner, protocol, client_address, created, expires, downloads, last_download, processed, scan, deduplicated, thumbnail", "path"),
        ("shares", "id, owner, created, expires, password_hash, max_downloads, downloads, in_flight, delete_after_download, revoked", "id"),
        ("share_files", "share_id, position, path", "share_id, position"),
        ("invites", "id, token_hash, label, quota, max_file_size, created, expires, revoked", "id"),
        ("quota_overrides", "owner, bytes", "owner"),
        ("audit", "at, action, actor, client, subject, detail", "id"),
    ];

    /// <summary>The columns that hold whole numbers (times are Unix milliseconds); every other column is text.</summary>
    private static readonly HashSet<string> Numbers =
    [
        "size", "created", "expires", "downloads", "last_download", "processed", "deduplicated", "thumbnail", "max_downloads",
        "in_flight", "delete_after_download", "revoked", "position", "quota", "max_file_size", "bytes", "at",
    ];

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/>; the rows copied per table.</summary>
    public static IReadOnlyList<(string Table, long Rows)> Copy(Database source, Database target)
    {
        using var into = target.Borrow();
        using var transaction = into.Connection.BeginTransaction(IsolationLevel.Serializable);
        foreach (var (table, _, _) in Tables)
        {
            using var count = into.Command($"SELECT count(*) FROM {table}", transaction);
            if (count.ScalarInt64() > 0)
            {
                throw new InvalidOperationException($"the target database already has rows in '{table}'; --migrate-metadata copies only into an empty database");
            }
        }

        var copied = new List<(string, long)>();
        using var from = source.Borrow();
        foreach (var (table, columns, order) in Tables)
        {
            var names = columns.Split(", ");
            using var insert = into.Command(
                $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", names.Select(n => "@" + n))})", transaction);
            using var select = from.Command($"SELECT {columns} FROM {table} ORDER BY {order}");
            using var reader = select.ExecuteReader();
            var slots = names.Select(n => insert.Slot("@" + n, Numbers.Contains(n) ? DbType.Int64 : DbType.String)).ToArray();
            long rows = 0;
            while (reader.Read())
            {
                for (var i = 0; i < names.Length; i++)
                {
                    slots[i].Value = reader.GetValue(i);
                }

                insert.ExecuteNonQuery();
                rows++;
            }

            using var check = into.Command($"SELECT count(*) FROM {table}", transaction);
            if (check.ScalarInt64() != rows)
            {
                throw new InvalidOperationException($"'{table}' has {check.ScalarInt64()} rows after copying {rows}; nothing was committed");
            }

            copied.Add((table, rows));
        }

        transaction.Commit();
        return copied;
    }
}
