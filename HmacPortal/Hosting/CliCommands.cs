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

            default:
                output.WriteLine(CommandLine.Usage);
                return 0;
        }
    }
}
