using HmacPortal.Engine.Metadata;
using System.Data;

namespace HmacPortal.Engine.Sharing;

/// <summary>
/// Share links in the <c>shares</c> and <c>share_files</c> tables. The download limit is enforced by
/// the database: a download is claimed by one conditional UPDATE, so two racing downloads of a
/// link with one download left cannot both get it.
/// </summary>
public sealed class ShareStore
{
    private readonly Database _database;

    public ShareStore(Database database)
    {
        _database = database;

        // Claims held by downloads that were running when the process stopped are void. A shared
        // database is left alone: other nodes' downloads may be running.
        if (database.Engine != DatabaseEngine.Sqlite)
        {
            return;
        }

        using var lease = database.BorrowWriter();
        using var reset = lease.Command("UPDATE shares SET in_flight = 0 WHERE in_flight <> 0");
        reset.ExecuteNonQuery();
    }

    public void Create(ShareLink link)
    {
        using var lease = _database.BorrowWriter();
        using var transaction = lease.Connection.BeginTransaction();
        using (var insert = lease.Command("""
            INSERT INTO shares (id, owner, created, expires, password_hash, max_downloads, delete_after_download)
            VALUES (@id, @owner, @created, @expires, @password, @max, @delete)
            """, transaction))
        {
            insert.With("@id", link.Id.Value).With("@owner", link.Owner).With("@created", link.Created).With("@expires", link.Expires)
                .With("@password", link.PasswordHash).With("@max", link.MaxDownloads).With("@delete", link.DeleteAfterDownload)
                .ExecuteNonQuery();
        }

        using (var file = lease.Command("INSERT INTO share_files (share_id, position, path) VALUES (@id, @position, @path)", transaction))
        {
            file.With("@id", link.Id.Value);
            var position = file.Slot("@position", DbType.Int64);
            var path = file.Slot("@path", DbType.String);
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
        return Select(lease, "WHERE id = @id", command => command.With("@id", id.Value)).FirstOrDefault();
    }

    /// <summary>An owner's links, newest first.</summary>
    public IReadOnlyList<ShareLink> ListByOwner(string owner)
    {
        using var lease = _database.Borrow();
        return Select(lease, "WHERE owner = @owner ORDER BY created DESC", command => command.With("@owner", owner));
    }

    /// <summary>Every link, newest first (for the admin console).</summary>
    public IReadOnlyList<ShareLink> ListAll(int take)
    {
        using var lease = _database.Borrow();
        return Select(lease, "ORDER BY created DESC LIMIT @take", command => command.With("@take", take));
    }

    /// <summary>Takes one download from the link if it is active and has one left (counting those in flight).</summary>
    public bool TryClaim(ShareId id, DateTimeOffset now)
    {
        using var lease = _database.BorrowWriter();
        using var command = lease.Command("""
            UPDATE shares SET in_flight = in_flight + 1
            WHERE id = @id AND revoked = 0 AND (expires IS NULL OR expires > @now)
              AND (max_downloads IS NULL OR downloads + in_flight < max_downloads)
            """).With("@id", id.Value).With("@now", now);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Ends a claimed download: counted when it finished, given back when it did not.</summary>
    public void EndClaim(ShareId id, bool finished)
    {
        using var lease = _database.BorrowWriter();
        var release = _database.Greatest("in_flight - 1", "0");
        using var command = lease.Command(finished
            ? $"UPDATE shares SET in_flight = {release}, downloads = downloads + 1 WHERE id = @id"
            : $"UPDATE shares SET in_flight = {release} WHERE id = @id");
        command.With("@id", id.Value).ExecuteNonQuery();
    }

    public bool Revoke(ShareId id) => Update(id, "revoked = 1", null);

    public bool SetExpiry(ShareId id, DateTimeOffset? expires) =>
        Update(id, "expires = @value", command => command.With("@value", expires));

    public bool Delete(ShareId id)
    {
        using var lease = _database.BorrowWriter();
        using var command = lease.Command("DELETE FROM shares WHERE id = @id").With("@id", id.Value);
        return command.ExecuteNonQuery() == 1;
    }

    private bool Update(ShareId id, string assignment, Action<System.Data.Common.DbCommand>? bind)
    {
        using var lease = _database.BorrowWriter();
        using var command = lease.Command($"UPDATE shares SET {assignment} WHERE id = @id").With("@id", id.Value);
        bind?.Invoke(command);
        return command.ExecuteNonQuery() == 1;
    }

    private List<ShareLink> Select(DatabaseLease lease, string clause, Action<System.Data.Common.DbCommand> bind)
    {
        using var command = lease.Command($"""
            SELECT id, owner, created, expires, password_hash, max_downloads, downloads, delete_after_download, revoked,
                   {_database.JsonArray("path", "share_files f WHERE f.share_id = s.id", "position")}
            FROM shares s {clause}
            """);
        bind(command);
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
                reader.IsDBNull(5) ? null : (int)reader.GetInt64(5),
                (int)reader.GetInt64(6),
                reader.GetInt64(7) != 0,
                reader.GetInt64(8) != 0,
                System.Text.Json.JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? []));
        }

        return links;
    }
}
