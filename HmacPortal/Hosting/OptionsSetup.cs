using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>Binds each TOML table to its options type, validated at start with every problem listed.</summary>
internal static class OptionsSetup
{
    public static IServiceCollection AddHmacPortalOptions(this IServiceCollection services, IConfiguration configuration, string configPath)
    {
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
        Table<ServerOptions>(services, configuration, ServerOptions.Section, ConfigRules.Check);
        Table<SecurityOptions>(services, configuration, SecurityOptions.Section, ConfigRules.Check);
        Table<LoggingOptions>(services, configuration, LoggingOptions.Section, ConfigRules.Check);
        Table<TimeoutsOptions>(services, configuration, TimeoutsOptions.Section, ConfigRules.Check);
        Table<UploadsOptions>(services, configuration, UploadsOptions.Section, ConfigRules.Check);
        Table<DownloadsOptions>(services, configuration, DownloadsOptions.Section, ConfigRules.Check);
        Table<CorsOptions>(services, configuration, CorsOptions.Section, ConfigRules.Check);
        Table<AdminOptions>(services, configuration, AdminOptions.Section, ConfigRules.Check);
        Table<PortalOptions>(services, configuration, PortalOptions.Section, ConfigRules.Check);
        Table<JobsOptions>(services, configuration, JobsOptions.Section, ConfigRules.Check);
        Table<RateLimitOptions>(services, configuration, RateLimitOptions.Section, ConfigRules.Check);
        Table<QuotasOptions>(services, configuration, QuotasOptions.Section, ConfigRules.Check);
        Table<WorkersOptions>(services, configuration, WorkersOptions.Section, ConfigRules.Check);
        Table<DeduplicationOptions>(services, configuration, DeduplicationOptions.Section, ConfigRules.Check);
        Table<ThumbnailsOptions>(services, configuration, ThumbnailsOptions.Section, ConfigRules.Check);
        Table<ClamAvOptions>(services, configuration, ClamAvOptions.Section, ConfigRules.Check);
        Table<ValidationOptions>(services, configuration, ValidationOptions.Section, ConfigRules.Check);
        Table<AuditOptions>(services, configuration, AuditOptions.Section, ConfigRules.Check);
        Table<KeyRotationOptions>(services, configuration, KeyRotationOptions.Section, ConfigRules.Check);
        Table<OwnersOptions>(services, configuration, OwnersOptions.Section, ConfigRules.Check);
        Table<DatabaseOptions>(services, configuration, DatabaseOptions.Section, ConfigRules.Check);
        Table<RedisOptions>(services, configuration, RedisOptions.Section, ConfigRules.Check);

        // Relative paths in config.toml are relative to the file, not to wherever the process started.
        services.PostConfigure<ServerOptions>(server =>
        {
            server.StoragePath = Resolve(baseDirectory, server.StoragePath);
            server.DataPath = Resolve(baseDirectory, server.DataPath);
            if (!string.IsNullOrWhiteSpace(server.PidFilePath))
            {
                server.PidFilePath = Resolve(baseDirectory, server.PidFilePath);
            }

            if (server.UnixSocket)
            {
                server.ListenAddress = Resolve(baseDirectory, server.ListenAddress);
            }
        });
        services.PostConfigure<DeduplicationOptions>(dedup =>
        {
            if (!string.IsNullOrWhiteSpace(dedup.Directory))
            {
                dedup.Directory = Resolve(baseDirectory, dedup.Directory);
            }
        });
        services.PostConfigure<AuditOptions>(audit =>
        {
            if (!string.IsNullOrWhiteSpace(audit.Path))
            {
                audit.Path = Resolve(baseDirectory, audit.Path);
            }
        });
        services.PostConfigure<LoggingOptions>(logging =>
        {
            if (!string.IsNullOrWhiteSpace(logging.File))
            {
                logging.File = Resolve(baseDirectory, logging.File);
            }
        });
        return services;
    }

    public static string Resolve(string baseDirectory, string path) =>
        Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static void Table<T>(IServiceCollection services, IConfiguration configuration, string section, Func<T, IEnumerable<ConfigProblem>> rules)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new RulesValidator<T>(rules));
    }

    private sealed class RulesValidator<T>(Func<T, IEnumerable<ConfigProblem>> rules) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = rules(options).Select(p => p.ToString()).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
