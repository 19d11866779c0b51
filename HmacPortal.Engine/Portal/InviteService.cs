using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Metadata;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Portal;

/// <summary>
/// Invite links in the <c>invites</c> table. The link carries 256 random bits; only their SHA-256 is
/// stored, so the database (or a backup of it) cannot be used to redeem an invite.
/// </summary>
public sealed class InviteService(Database database, TimeProvider clock, ILogger<InviteService> logger, Audit.AuditTrail? audit = null)
{
    public static readonly TimeSpan LongestValidity = TimeSpan.FromDays(365);

    /// <summary>Creates an invite; returns it with the token for its link, which is shown once.</summary>
    public (Invite? Invite, string Token, string Error) Create(string label, long quota, long maxFileSize, TimeSpan validFor)
    {
        label = label.Trim();
        if (label.Length is 0 or > 100)
        {
            return (null, string.Empty, "give the invite a label of 1 to 100 characters (who it is for)");
        }

        if (quota <= 0 || maxFileSize <= 0)
        {
            return (null, string.Empty, "the quota and the largest file must be larger than 0");
        }

        if (validFor <= TimeSpan.Zero || validFor > LongestValidity)
        {
            return (null, string.Empty, "an invite may be valid for at most 365 days");
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var invite = new Invite(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), label, quota, maxFileSize, now, now + validFor, false);
        using (var lease = database.BorrowWriter())
        {
            using var insert = lease.Command("""
                INSERT INTO invites (id, token_hash, label, quota, max_file_size, created, expires)
                VALUES (@id, @hash, @label, @quota, @max, @created, @expires)
                """).With("@id", invite.Id).With("@hash", Hash(token)).With("@label", invite.Label).With("@quota", invite.Quota)
                .With("@max", invite.MaxFileSize).With("@created", invite.Created).With("@expires", invite.Expires);
            insert.ExecuteNonQuery();
        }

        // The audit entry queues for the writer's place, so it is written after the lease above is let go.
        PortalLog.InviteCreated(logger, invite.Id, invite.Label);
        audit?.Record("invite.created", "admin", null, $"invite {invite.Id}", $"{invite.Label}; quota {invite.Quota} bytes; until {invite.Expires:u}");
        return (invite, token, string.Empty);
    }

    /// <summary>The invite a link's token names, whatever its state; null for an unknown token.</summary>
    public Invite? Find(string token)
    {
        if (token.Length is 0 or > 100)
        {
            return null;
        }

        using var lease = database.Borrow();
        return Select(lease, "WHERE token_hash = @value", Hash(token)).FirstOrDefault();
    }

    /// <summary>The invite with this id, whatever its state (a signed-in guest is checked against it on every visit).</summary>
    public Invite? Get(string id)
    {
        using var lease = database.Borrow();
        return Select(lease, "WHERE id = @value", id).FirstOrDefault();
    }

    public IReadOnlyList<Invite> List()
    {
        using var lease = database.Borrow();
        return Select(lease, "ORDER BY created DESC", null);
    }

    public bool Revoke(string id)
    {
        bool revoked;
        using (var lease = database.BorrowWriter())
        {
            using var command = lease.Command("UPDATE invites SET revoked = 1 WHERE id = @id AND revoked = 0").With("@id", id);
            revoked = command.ExecuteNonQuery() == 1;
        }

        if (revoked)
        {
            PortalLog.InviteRevoked(logger, id);
            audit?.Record("invite.revoked", "admin", null, $"invite {id}");
        }

        return revoked;
    }

    public bool IsUsable(Invite invite) => invite.IsUsableAt(clock.GetUtcNow());

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static List<Invite> Select(DatabaseLease lease, string clause, string? value)
    {
        using var command = lease.Command($"SELECT id, label, quota, max_file_size, created, expires, revoked FROM invites {clause}");
        if (value is not null)
        {
            command.With("@value", value);
        }

        using var reader = command.ExecuteReader();
        var invites = new List<Invite>();
        while (reader.Read())
        {
            invites.Add(new Invite(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.GetInt64(6) != 0));
        }

        return invites;
    }
}
