using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Health;
using HmacPortal.Engine.Identity;

namespace HmacPortal.Hosting;

/// <summary>The verbs that do their work and exit instead of starting the server.</summary>
internal static class CliCommands
{
    public static int Run(CommandLine cli, TextReader input, TextWriter output, TextWriter error)
    {
        if (cli.Error is not null)
        {
            error.WriteLine($"hmacportal: {cli.Error}");
            error.WriteLine(CommandLine.Usage);
            return 2;
        }

        switch (cli.Verb)
        {
            case CliVerb.Version:
                output.WriteLine($"HmacPortal {ServerStatus.Version}");
                return 0;

            case CliVerb.GenConfig:
                output.Write(ConfigTemplate.Render(new Dictionary<string, string> { ["[security] secret"] = ConfigTemplate.NewSecret() }));
                return 0;

            case CliVerb.HashPassword:
                var password = input.ReadLine();
                if (string.IsNullOrEmpty(password))
                {
                    error.WriteLine("hmacportal: --hash-password reads the password from standard input; none was given");
                    return 2;
                }

                output.WriteLine(PasswordHash.Create(password));
                return 0;

            case CliVerb.Validate:
                var diagnostics = ConfigCheck.Run(cli.ConfigPath);
                foreach (var diagnostic in diagnostics)
                {
                    (diagnostic.IsError ? error : output).WriteLine(diagnostic);
                }

                var errors = diagnostics.Count(d => d.IsError);
                if (errors > 0)
                {
                    error.WriteLine($"{cli.ConfigPath}: {errors} error(s); the server would not start");
                    return 1;
                }

                output.WriteLine($"{cli.ConfigPath}: valid ({diagnostics.Count} warning(s))");
                return 0;

            case CliVerb.MigrateMetadata:
                return MigrateMetadata(cli.ConfigPath, output, error);

            default:
                output.WriteLine(CommandLine.Usage);
                return 0;
        }
    }

    /// <summary>Copies the SQLite database of <c>data_path</c> into the PostgreSQL database of <c>[database]</c>.</summary>
    private static int MigrateMetadata(string configPath, TextWriter output, TextWriter error)
    {
        var problems = ConfigCheck.Run(configPath).Where(d => d.IsError).ToList();
        if (problems.Count > 0)
        {
            problems.ForEach(error.WriteLine);
            return 1;
        }

        var read = TomlConfigReader.Read(File.ReadAllText(configPath), configPath);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(read.Data).Build();
        var server = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var sqlitePath = Path.Combine(server.DataPath, "metadata.db");
        if (!database.IsPostgreSql)
        {
            error.WriteLine("hmacportal: --migrate-metadata copies into PostgreSQL: set [database] engine = \"postgresql\" and its connection_string first");
            return 1;
        }

        if (!File.Exists(sqlitePath))
        {
            error.WriteLine($"hmacportal: there is no SQLite database at {sqlitePath} ([server] data_path) to copy");
            return 1;
        }

        try
        {
            using var source = new Engine.Metadata.SqliteDatabase(Microsoft.Extensions.Options.Options.Create(server));
            using var target = new Engine.Metadata.PostgresDatabase(database.ConnectionString);
            var copied = Engine.Metadata.DatabaseCopier.Copy(source, target);
            foreach (var (table, rows) in copied)
            {
                output.WriteLine($"{table}: {rows} row(s)");
            }

            output.WriteLine($"copied {source.Location} into {target.Location}; start the nodes with [database] engine = \"postgresql\"");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            error.WriteLine($"hmacportal: nothing was copied: {ex.Message}");
            return 1;
        }
    }
}
