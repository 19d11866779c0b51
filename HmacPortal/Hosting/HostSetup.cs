using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Health;
using Microsoft.AspNetCore.DataProtection;

namespace HmacPortal.Hosting;

/// <summary>The host's own services: configuration file, lifecycle, start-up output.</summary>
internal static class HostSetup
{
    /// <summary>Makes <c>config.toml</c> the configuration, reloaded on change; environment and command line may override.</summary>
    public static WebApplicationBuilder AddTomlConfiguration(this WebApplicationBuilder builder, StartupFacts facts, IReadOnlyList<string> hostArgs)
    {
        var sources = builder.Configuration.Sources;
        sources.Clear();
        var toml = new TomlConfigurationSource(facts.ConfigPath, reloadOnChange: true);
        ((IConfigurationBuilder)builder.Configuration).Add(toml);
        builder.Configuration.AddEnvironmentVariables("HMACPORTAL_");
        builder.Configuration.AddCommandLine([.. hostArgs]);

        var provider = ((IConfigurationRoot)builder.Configuration).Providers.OfType<TomlConfigurationProvider>().Single();
        builder.Services.AddSingleton(provider);
        builder.Services.AddSingleton(services => new ConfigEditor(
            provider.FilePath, services.GetRequiredService<ILogger<ConfigEditor>>(), services.GetRequiredService<HmacPortal.Engine.Audit.AuditTrail>()));
        builder.Services.AddSingleton(facts);
        return builder;
    }

    public static IServiceCollection AddHmacPortalHost(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerStatus>();
        services.AddSingleton<ForwardedClients.ArrivalCounts>();
        services.AddSingleton<Listeners>();
        services.AddHostedService<StorageDirectories>();
        services.AddHostedService<MetadataStartup>();
        services.AddHostedService<KeyringStartup>();
        services.AddHostedService<PidFile>();
        services.AddHostedService<ConfigReloadLog>();
        services.AddHostedService<NativeHeapTrimmer>();
        services.AddHostedService<StartupBanner>();
        return services;
    }

    /// <summary>Keys for antiforgery and sign-in cookies live in data_path (mode 0700), so they survive restarts.</summary>
    public static WebApplicationBuilder AddHmacPortalDataProtection(this WebApplicationBuilder builder, string configPath)
    {
        var server = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        var keys = Directory.CreateDirectory(Path.Combine(OptionsSetup.Resolve(Path.GetDirectoryName(configPath)!, server.DataPath), "keys"));
        keys.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        builder.Services.AddDataProtection().SetApplicationName("HmacPortal").PersistKeysToFileSystem(keys);
        return builder;
    }
}
