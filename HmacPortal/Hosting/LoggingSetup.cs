using HmacPortal.Endpoints.Sharing;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Sharing;
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
    /// Request logging (method, path, status, duration; never the query string, which carries MACs,
    /// and never a whole capability id: see <see cref="RedactCapabilities"/>).
    /// </summary>
    public static WebApplication UseHmacPortalRequestLogging(this WebApplication app, string resumablePath)
    {
        app.UseSerilogRequestLogging(options => options.GetMessageTemplateProperties = (context, path, elapsed, status) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
            new LogEventProperty("RequestPath", new ScalarValue(RedactCapabilities(path, resumablePath))),
            new LogEventProperty("StatusCode", new ScalarValue(status)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
        ]);
        return app;
    }

    /// <summary>
    /// The path as the request log shows it. Two kinds of URL are capabilities, usable by whoever
    /// reads them: a resumable upload's (its id after the resumable path) and a share link's (its
    /// id after <c>/s/</c>, with the unlock, file and archive URLs below it). Their ids appear as
    /// the services' own log lines show them, by their start only.
    /// </summary>
    internal static string RedactCapabilities(string path, string resumablePath)
    {
        // Any 32 characters there, not only a well-formed id: the same id in capitals is as good
        // as the id itself to whoever reads it.
        if (path.StartsWith(resumablePath, StringComparison.OrdinalIgnoreCase) && path.Length == resumablePath.Length + 32)
        {
            return path[..(resumablePath.Length + 8)] + "…";
        }

        if (path.StartsWith(ShareEndpoints.PathPrefix, StringComparison.Ordinal))
        {
            var rest = path[ShareEndpoints.PathPrefix.Length..];
            var end = rest.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? slash : rest.Length;
            if (ShareId.TryParse(rest[..end], out var link))
            {
                return ShareEndpoints.PathPrefix + link.Logged + "…" + rest[end..];
            }
        }

        return path;
    }

    internal static LogEventLevel ToLevel(string level) => level.ToLowerInvariant() switch
    {
        "debug" => LogEventLevel.Debug,
        "warn" or "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
