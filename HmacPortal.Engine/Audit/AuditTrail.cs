using HmacPortal.Engine.Metadata;

namespace HmacPortal.Engine.Audit;

/// <summary>
/// What was done to the server and by whom, in the <c>audit</c> table: sign-ins and their failures,
/// bans and unbans, deletions, configuration saves, share links and invites, infected files.
/// Entries never hold secrets, passwords, tokens or link ids. Entries older than
/// <see cref="Retention"/> are pruned by the maintenance job. With <c>[audit] enabled</c> each entry
/// is also a JSON line in the audit file, which also gets the frequent events (<see cref="Note"/>):
/// uploads, downloads, signature failures and quota refusals.
/// </summary>
public sealed class AuditTrail(Database database, TimeProvider clock, AuditLogFile? file = null)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(365);

    private const string Insert = "INSERT INTO audit (at, action, actor, client, subject, detail) VALUES (@at, @action, @actor, @client, @subject, @detail)";

    public void Record(string action, string actor, string? client, string subject, string detail = "")
    {
        using var lease = database.BorrowWriter();
        using var command = lease.Command(Insert)
            .With("@at", clock.GetUtcNow()).With("@action", action).With("@actor", actor).With("@client", client).With("@subject", subject).With("@detail", detail);
        command.ExecuteNonQuery();
        file?.Write(action, actor, client, subject, detail);
    }

    /// <summary>
    /// Records one action done by <paramref name="actor"/> to many subjects (a job's deletions) in one
    /// transaction, in the writers' queue: a job that deletes thousands of files keeps up with uploads.
    /// </summary>
    public async Task RecordManyAsync(string action, string actor, IReadOnlyCollection<(string Subject, string Detail)> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using (var lease = await database.BorrowWriterAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = lease.Command(Insert, transaction)
                .With("@at", clock.GetUtcNow()).With("@action", action).With("@actor", actor).With("@client", (string?)null);
            var subject = command.Slot("@subject", System.Data.DbType.String);
            var detail = command.Slot("@detail", System.Data.DbType.String);
            foreach (var entry in entries)
            {
                subject.Value = entry.Subject;
                detail.Value = entry.Detail;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in entries)
        {
            file?.Write(action, actor, null, entry.Subject, entry.Detail);
        }
    }

    /// <summary>A frequent event (an upload, a download, a refusal): written to the audit file only, when it is on.</summary>
    public void Note(string action, string actor, string? client, string subject, string detail = "") =>
        file?.Write(action, actor, client, subject, detail);

    /// <summary>Newest first; <paramref name="action"/> filters by action prefix (e.g. <c>signin</c>), <paramref name="search"/> by text.</summary>
    public AuditPage Query(string? action, string? search, int skip, int take)
    {
        using var lease = database.Borrow();
        var like = database.Like;
        var where = $"WHERE (@action IS NULL OR action = @action OR action LIKE @action || '.%') AND (@search IS NULL OR actor {like} @search ESCAPE '\\' OR subject {like} @search ESCAPE '\\' OR detail {like} @search ESCAPE '\\' OR client {like} @search ESCAPE '\\')";
        var pattern = string.IsNullOrWhiteSpace(search) ? null
            : "%" + search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        using var count = lease.Command($"SELECT count(*) FROM audit {where}");
        using var select = lease.Command($"SELECT at, action, actor, client, subject, detail FROM audit {where} ORDER BY id DESC LIMIT @take OFFSET @skip");
        foreach (var command in new[] { count, select })
        {
            command.With("@action", string.IsNullOrWhiteSpace(action) ? null : action).With("@search", pattern);
        }

        select.With("@take", Math.Clamp(take, 1, 500)).With("@skip", Math.Max(0, skip));
        var total = (int)count.ScalarInt64();
        var entries = new List<AuditEntry>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new AuditEntry(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return new AuditPage(entries, total);
    }

    /// <summary>Deletes entries older than <see cref="Retention"/>; returns how many.</summary>
    public int Prune()
    {
        using var lease = database.BorrowWriter();
        using var command = lease.Command("DELETE FROM audit WHERE at < @before").With("@before", clock.GetUtcNow() - Retention);
        return command.ExecuteNonQuery();
    }
}

public sealed record AuditEntry(DateTimeOffset At, string Action, string Actor, string? Client, string Subject, string Detail);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Total);
