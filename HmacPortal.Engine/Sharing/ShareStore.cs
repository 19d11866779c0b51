using HmacPortal.Engine.Metadata;
using Microsoft.Data.Sqlite;

namespace HmacPortal.Engine.Sharing;

/// <summary>
/// Share links in the <c>shares</c> and <c>share_files</c> tables. The download limit is enforced by
/// the database: a download is claimed by one conditional UPDATE, so two racing downloads of a
/// link with one download left cannot both get it.
/// </summary>
public sealed class ShareStore
{
    private readonly SqliteDatabase _database;

    public ShareStore(SqliteDatabase database)
    {
        _database = database;

        // Claims held by downloads that were running when the process stopped are void.
        using var lease = database.Borrow();
        using var reset = lease.Command("UPDATE shares SET in_flight = 0 WHERE in_flight <> 0");
        reset.ExecuteNonQuery();
    }

    public void Create(ShareLink link)
    {
        using var lease = _database.Borrow();
        using var transaction = lease.Connection.BeginTransaction();
        using (var insert = lease.Command("""
            INSERT INTO shares (id, owner, created, expires, password_hash, max_downloads, delete_after_download)
            VALUES ($id, $owner, $created, $expires, $password, $max, $delete)
            """))
        {
            insert.Transaction = transaction;
            insert.Parameters.AddWithValue("$id", link.Id.Value);
            insert.Parameters.AddWithValue("$owner", link.Owner);
            insert.Parameters.AddWithValue("$created", link.Created.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$expires", (object?)link.Expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            insert.Parameters.AddWithValue("$password", (object?)link.PasswordHash ?? DBNull.Value);
            insert.Parameters.AddWithValue("$max", (object?)link.MaxDownloads ?? DBNull.Value);
            insert.Parameters.AddWithValue("$delete", link.DeleteAfterDownload ? 1 : 0);
            insert.ExecuteNonQuery();
        }

        using (var file = lease.Command("INSERT INTO share_files (share_id, position, path) VALUES ($id, $position, $path)"))
        {
            file.Transaction = transaction;
            file.Parameters.AddWithValue("$id", link.Id.Value);
            var position = file.Parameters.Add("$position", SqliteType.Integer);
            var path = file.Parameters.Add("$path", SqliteType.Text);
            for (var i = 0; i < link.Files.Count; i++)
            {
                position.Value = i;
                path.Value = link.Files[i];
                file.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    public ShareLink? Get(ShareId id)
    {
        using var lease = _database.Borrow();
        return Select(lease, "WHERE id = $id", ("$id", id.Value)).FirstOrDefault();
    }

    /// <summary>An owner's links, newest first.</summary>
    public IReadOnlyList<ShareLink> ListByOwner(string owner)
    {
        using var lease = _database.Borrow();
        return Select(lease, "WHERE owner = $owner ORDER BY created DESC", ("$owner", owner));
    }

    /// <summary>Every link, newest first (for the admin console).</summary>
    public IReadOnlyList<ShareLink> ListAll(int take)
    {
        using var lease = _database.Borrow();
        return Select(lease, "ORDER BY created DESC LIMIT $take", ("$take", take));
    }

    /// <summary>Takes one download from the link if it is active and has one left (counting those in flight).</summary>
    public bool TryClaim(ShareId id, DateTimeOffset now)
    {
        using var lease = _database.Borrow();
        using var command = lease.Command("""
            UPDATE shares SET in_flight = in_flight + 1
            WHERE id = $id AND revoked = 0 AND (expires IS NULL OR expires > $now)
              AND (max_downloads IS NULL OR downloads + in_flight < max_downloads)
            """);
        command.Parameters.AddWithValue("$id", id.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Ends a claimed download: counted when it finished, given back when it did not.</summary>
    public void EndClaim(ShareId id, bool finished)
    {
        using var lease = _database.Borrow();
        using var command = lease.Command(finished
            ? "UPDATE shares SET in_flight = max(in_flight - 1, 0), downloads = downloads + 1 WHERE id = $id"
            : "UPDATE shares SET in_flight = max(in_flight - 1, 0) WHERE id = $id");
        command.Parameters.AddWithValue("$id", id.Value);
        command.ExecuteNonQuery();
    }

    public bool Revoke(ShareId id) => Update(id, "revoked = 1", null);

    public bool SetExpiry(ShareId id, DateTimeOffset? expires) =>
        Update(id, "expires = $value", (object?)expires?.ToUnixTimeMilliseconds() ?? DBNull.Value);

    public bool Delete(ShareId id)
    {
        using var lease = _database.Borrow();
        using var command = lease.Command("DELETE FROM shares WHERE id = $id");
        command.Parameters.AddWithValue("$id", id.Value);
        return command.ExecuteNonQuery() == 1;
    }

    private bool Update(ShareId id, string assignment, object? value)
    {
        using var lease = _database.Borrow();
        using var command = lease.Command($"UPDATE shares SET {assignment} WHERE id = $id");
        command.Parameters.AddWithValue("$id", id.Value);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }

        return command.ExecuteNonQuery() == 1;
    }

    private static List<ShareLink> Select(SqliteDatabase.Lease lease, string clause, (string Name, object Value) parameter)
    {
        using var command = lease.Command($"""
            SELECT id, owner, created, expires, password_hash, max_downloads, downloads, delete_after_download, revoked,
                   (SELECT json_group_array(path) FROM (SELECT path FROM share_files f WHERE f.share_id = s.id ORDER BY position))
            FROM shares s {clause}
            """);
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        using var reader = command.ExecuteReader();
        var links = new List<ShareLink>();
        while (reader.Read())
        {
            links.Add(new ShareLink(
                ShareId.TryParse(reader.GetString(0), out var id) ? id : throw new InvalidDataException("a stored share id is malformed"),
                reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5),
                reader.GetInt32(6),
                reader.GetInt32(7) != 0,
                reader.GetInt32(8) != 0,
                System.Text.Json.JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? []));
        }

        return links;
    }
}
