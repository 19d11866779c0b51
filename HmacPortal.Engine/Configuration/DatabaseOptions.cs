namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[database]</c> table: where files, shares, invites, quota overrides and the audit log are recorded.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <summary><c>sqlite</c> (<c>metadata.db</c> in <c>data_path</c>) or <c>postgresql</c> (shared by several nodes).</summary>
    public string Engine { get; set; } = Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql's form: <c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    public bool IsPostgreSql => Engine.Equals(PostgreSql, StringComparison.OrdinalIgnoreCase);
}
