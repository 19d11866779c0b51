using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Quotas;

/// <summary>
/// Which limit applies to an owner: one an admin set in the console, else <c>[quotas.custom]</c>
/// (matched by name, or for an XMPP address by ejabberd's SHA-1 directory of it), else the default.
/// Admin-set limits live in the database, so they apply at once and survive restarts.
/// </summary>
public sealed class QuotaPolicy(IOptionsMonitor<QuotasOptions> options, Database database, Audit.AuditTrail? audit = null)
{
    public bool Enabled => options.CurrentValue.Enabled;

    /// <summary>All stored files together may take this much; null for no such limit.</summary>
    public long? Global => options.CurrentValue.Global.Bytes > 0 ? options.CurrentValue.Global.Bytes : null;

    public QuotaLimit LimitFor(string owner, long? fallback = null)
    {
        if (Override(owner) is { } set)
        {
            return new QuotaLimit(set, QuotaSource.Admin);
        }

        foreach (var (name, size) in options.CurrentValue.Custom)
        {
            if ((name.Equals(owner, StringComparison.OrdinalIgnoreCase) || Sha1(name) == owner) && ByteSize.TryParse(size, out var parsed, out _))
            {
                return new QuotaLimit(parsed.Bytes, QuotaSource.Config);
            }
        }

        return fallback is { } f ? new QuotaLimit(f, QuotaSource.Portal) : new QuotaLimit(options.CurrentValue.Default.Bytes, QuotaSource.Default);
    }

    public void SetOverride(string owner, long bytes, string by)
    {
        // Owners match whatever their case: the limit replaces any set for another spelling.
        // The writer's place is let go before the audit entry, which queues for it again.
        using (var lease = database.BorrowWriter())
        {
            using var transaction = lease.Connection.BeginTransaction();
            using (var remove = lease.Command("DELETE FROM quota_overrides WHERE lower(owner) = lower(@owner)", transaction))
            {
                remove.With("@owner", owner).ExecuteNonQuery();
            }

            using (var insert = lease.Command("INSERT INTO quota_overrides (owner, bytes) VALUES (@owner, @bytes)", transaction))
            {
                insert.With("@owner", owner).With("@bytes", bytes).ExecuteNonQuery();
            }

            transaction.Commit();
        }

        audit?.Record("quota.set", by, null, owner, $"{bytes} bytes");
    }

    public bool RemoveOverride(string owner, string by)
    {
        bool removed;
        using (var lease = database.BorrowWriter())
        {
            using var command = lease.Command("DELETE FROM quota_overrides WHERE lower(owner) = lower(@owner)").With("@owner", owner);
            removed = command.ExecuteNonQuery() >= 1;
        }

        if (removed)
        {
            audit?.Record("quota.removed", by, null, owner);
        }

        return removed;
    }

    /// <summary>Every owner that has files, with their usage, largest first; and every owner with a limit of its own.</summary>
    public IReadOnlyList<OwnerUsage> Usage(int take)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("""
            SELECT min(owner), CAST(sum(files) AS BIGINT), CAST(sum(bytes) AS BIGINT) FROM (
                SELECT owner, count(*) AS files, sum(size) AS bytes FROM files WHERE owner IS NOT NULL GROUP BY owner
                UNION ALL SELECT owner, 0, 0 FROM quota_overrides) AS usage
            GROUP BY lower(owner) ORDER BY sum(bytes) DESC, min(owner) LIMIT @take
            """).With("@take", take);
        using var reader = command.ExecuteReader();
        var owners = new List<OwnerUsage>();
        while (reader.Read())
        {
            owners.Add(new OwnerUsage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return owners;
    }

    private long? Override(string owner)
    {
        using var lease = database.Borrow();
        using var command = lease.Command("SELECT bytes FROM quota_overrides WHERE lower(owner) = lower(@owner)").With("@owner", owner);
        return command.ExecuteScalar() is long bytes ? bytes : null;
    }

    /// <summary>ejabberd names an uploader's directory after the SHA-1 of the address; this is a match, not a protection.</summary>
#pragma warning disable CA5350
    private static string Sha1(string address) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(address.ToLowerInvariant())));
#pragma warning restore CA5350
}

public enum QuotaSource
{
    Default,
    Config,
    Admin,
    Portal,
}

public sealed record QuotaLimit(long Bytes, QuotaSource Source);

public sealed record OwnerUsage(string Owner, long Files, long Bytes);
