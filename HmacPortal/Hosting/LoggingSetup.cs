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

    /// <summary>
    /// Request logging (method, path, status, duration; never the query string, which carries MACs).
    /// A resumable upload's URL is a capability, so its id is logged as its first 8 characters.
    /// </summary>
    public static WebApplication UseHmacPortalRequestLogging(this WebApplication app, string resumablePath)
    {
        app.UseSerilogRequestLogging(options => options.GetMessageTemplateProperties = (context, path, elapsed, status) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
            new LogEventProperty("RequestPath", new ScalarValue(RedactUploadId(path, resumablePath))),
            new LogEventProperty("StatusCode", new ScalarValue(status)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
        ]);
        return app;
    }

    internal static string RedactUploadId(string path, string resumablePath) =>
        path.StartsWith(resumablePath, StringComparison.OrdinalIgnoreCase) && path.Length == resumablePath.Length + 32
            ? path[..(resumablePath.Length + 8)] + "…"
            : path;

    internal static LogEventLevel ToLevel(string level) => level.ToLowerInvariant() switch
    {
        "debug" => LogEventLevel.Debug,
        "warn" or "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
