using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HmacPortal.Hosting;

/// <summary>Serilog from <c>[logging]</c>: console always, a size-rolled file when configured.</summary>
internal static class LoggingSetup
{
    public static WebApplicationBuilder AddHmacPortalLogging(this WebApplicationBuilder builder)
    {
        var logging = new LoggingOptions();
        builder.Configuration.GetSection(LoggingOptions.Section).Bind(logging);
        var level = new LoggingLevelSwitch(ToLevel(logging.Level));
        builder.Services.AddSingleton(level);

        builder.Services.AddSerilog((services, configuration) =>
        {
            configuration
                .MinimumLevel.ControlledBy(level)
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                // Keys sit in data_path with mode 0700; the "no XML encryptor" warning says nothing more.
                .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
                .Enrich.FromLogContext()
                .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            if (!string.IsNullOrWhiteSpace(logging.File))
            {
                configuration.WriteTo.File(
                    logging.File,
                    fileSizeLimitBytes: logging.MaxSize.Bytes,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: Math.Max(1, logging.MaxBackups + 1),
                    retainedFileTimeLimit: logging.MaxAge > TimeSpan.Zero ? logging.MaxAge : null,
                    outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }

            // The level follows config edits without a restart; the sinks are fixed at start.
            services.GetRequiredService<IOptionsMonitor<LoggingOptions>>()
                .OnChange(changed => level.MinimumLevel = ToLevel(changed.Level));
        });
        return builder;
    }

    internal static LogEventLevel ToLevel(string level) => level.ToLowerInvariant() switch
    {
        "debug" => LogEventLevel.Debug,
        "warn" or "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
