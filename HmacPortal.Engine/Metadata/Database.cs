using System.Data;
using System.Data.Common;

namespace HmacPortal.Engine.Metadata;

/// <summary>Which engine holds the server's database.</summary>
public enum DatabaseEngine
{
    /// <summary><c>metadata.db</c> in <c>data_path</c>: one node, nothing to run.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every node.</summary>
    PostgreSql,
}

/// <summary>
/// The server's database: files, shares, invites, quota overrides and the audit log. The stores
/// write their SQL once, with <c>@name</c> parameters and constructs both engines share; the few
/// places where SQLite and PostgreSQL differ are asked of this class.
/// </summary>
public abstract class Database : IDisposable
{
    public abstract DatabaseEngine Engine { get; }

    /// <summary>Where the data is, for logs and the console (never a password).</summary>
    public abstract string Location { get; }

    /// <summary>A connection for one operation; disposing the lease gives it back.</summary>
    public abstract DatabaseLease Borrow();

    /// <summary>
    /// A connection for one write. An engine that takes one writer at a time (SQLite) queues
    /// writers here, without holding a thread, instead of letting them collide on its lock and
    /// sleep in its busy handler.
    /// </summary>
    public virtual ValueTask<DatabaseLease> BorrowWriterAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Borrow());

    /// <summary>
    /// <see cref="BorrowWriterAsync"/> for the few writes made from synchronous code (audit entries):
    /// the caller's thread waits in the same queue, which is fair, rather than polling SQLite's lock
    /// in its busy handler, where a steady stream of queued writers can starve it.
    /// </summary>
    public virtual DatabaseLease BorrowWriter() => Borrow();

    /// <summary>Case-insensitive <c>LIKE</c>.</summary>
    public string Like => Engine == DatabaseEngine.PostgreSql ? "ILIKE" : "LIKE";

    /// <summary>The larger of two values.</summary>
    public string Greatest(string a, string b) => Engine == DatabaseEngine.PostgreSql ? $"greatest({a}, {b})" : $"max({a}, {b})";

    /// <summary>A JSON array (as text) of <paramref name="column"/> over the rows of <paramref name="from"/>, in <paramref name="order"/>.</summary>
    public string JsonArray(string column, string from, string order) => Engine == DatabaseEngine.PostgreSql
        ? $"(SELECT coalesce(json_agg({column} ORDER BY {order}), '[]')::text FROM {from})"
        : $"(SELECT json_group_array({column}) FROM (SELECT {column} FROM {from} ORDER BY {order}))";

    /// <summary>True while the database is known to be unreachable (a shared database's breaker is open).</summary>
    public virtual bool Unreachable => false;

    /// <summary>How long clients refused meanwhile should wait before trying again.</summary>
    public virtual TimeSpan RetryAfter => TimeSpan.FromSeconds(5);

    /// <summary>Checks the database's own consistency: "ok", or what is wrong.</summary>
    public abstract string CheckIntegrity();

    /// <summary>Lets the engine tidy up after many changes; true when space was given back to the file system.</summary>
    public abstract bool Optimize();

    public abstract void Dispose();
}

/// <summary>A connection borrowed for one operation and given back afterwards.</summary>
/// <param name="statements">
/// The engine's prepared statements kept with this connection, if it keeps them (SQLite): a
/// statement asked for again on the same connection is not parsed again.
/// </param>
public sealed class DatabaseLease(DbConnection connection, Action<DbConnection> giveBack, Func<DbConnection, string, DbCommand>? statements = null) : IDisposable
{
    private List<DbCommand>? _owned;

    public DbConnection Connection { get; } = connection;

    public DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// A command for constant, frequently run SQL, with no parameters yet. The lease owns it: the
    /// caller does not dispose it. An engine that keeps prepared statements with the connection
    /// hands back the same one each time; otherwise it is a new command, disposed with the lease.
    /// </summary>
    public DbCommand Statement(string sql)
    {
        if (statements is not null)
        {
            var kept = statements(Connection, sql);
            kept.Parameters.Clear();
            kept.Transaction = null;
            return kept;
        }

        var command = Command(sql);
        (_owned ??= []).Add(command);
        return command;
    }

    public void Dispose()
    {
        if (_owned is not null)
        {
            foreach (var command in _owned)
            {
                command.Dispose();
            }
        }

        giveBack(Connection);
    }
}

/// <summary>Typed parameters, so a null still tells PostgreSQL its type.</summary>
public static class DatabaseCommands
{
    public static DbCommand With(this DbCommand command, string name, string? value) => Add(command, name, value, DbType.String);

    public static DbCommand With(this DbCommand command, string name, long? value) => Add(command, name, value, DbType.Int64);

    public static DbCommand With(this DbCommand command, string name, bool value) => Add(command, name, value ? 1L : 0L, DbType.Int64);

    /// <summary>A time, as Unix milliseconds.</summary>
    public static DbCommand With(this DbCommand command, string name, DateTimeOffset? value) =>
        Add(command, name, value?.ToUnixTimeMilliseconds(), DbType.Int64);

    /// <summary>A parameter whose value is set later, for a command run many times.</summary>
    public static DbParameter Slot(this DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static long ScalarInt64(this DbCommand command) =>
        Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

    private static DbCommand Add(DbCommand command, string name, object? value, DbType type)
    {
        command.Slot(name, type).Value = value ?? DBNull.Value;
        return command;
    }
}
