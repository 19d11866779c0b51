namespace HmacPortal.Hosting;

internal enum CliVerb
{
    Serve,
    Help,
    Version,
    GenConfig,
    Validate,
    HashPassword,
    MigrateMetadata,
}

/// <summary>The command line: one verb, the config path, and host settings passed through.</summary>
internal sealed record CommandLine(CliVerb Verb, string ConfigPath, bool ConfigPathGiven, IReadOnlyList<string> HostArgs, string? Error)
{
    public const string DefaultConfigPath = "config.toml";

    public const string Usage = """
        Usage: hmacportal [options]

          --config PATH     the configuration file (default: ./config.toml; created with a new
                            secret and admin password when missing)
          --genconfig       print a complete, commented config.toml with a new secret and exit
          --validate        check the configuration, print every problem, exit 0 if it is usable
          --hash-password   read a password from standard input, print its hash for
                            [admin] password_hash, and exit
          --migrate-metadata
                            copy the SQLite database in data_path into the PostgreSQL database
                            of [database] (which must be empty), checking every table, and exit
          --version         print the version and exit
          --help            print this text and exit

        Without a verb the server starts.
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var verb = CliVerb.Serve;
        string? config = null;
        var passThrough = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            CliVerb? found = arg switch
            {
                "--help" or "-h" => CliVerb.Help,
                "--version" => CliVerb.Version,
                "--genconfig" => CliVerb.GenConfig,
                "--validate" => CliVerb.Validate,
                "--hash-password" => CliVerb.HashPassword,
                "--migrate-metadata" => CliVerb.MigrateMetadata,
                _ => null,
            };
            if (found is { } f)
            {
                if (verb != CliVerb.Serve && verb != f)
                {
                    return Fail($"{arg} cannot be combined with another command");
                }

                verb = f;
            }
            else if (arg == "--config")
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return Fail("--config needs a file path");
                }

                config = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                config = arg["--config=".Length..];
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal))
            {
                // Host settings such as --environment=Production reach IConfiguration unchanged.
                passThrough.Add(arg);
            }
            else
            {
                return Fail($"unknown argument '{arg}'");
            }
        }

        return new CommandLine(verb, config ?? DefaultConfigPath, config is not null, passThrough, null);

        static CommandLine Fail(string error) => new(CliVerb.Help, DefaultConfigPath, false, [], error);
    }
}
