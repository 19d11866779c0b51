using System.Net;
using HmacPortal.Endpoints.Metrics;
using HmacPortal.Engine.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HmacPortal.Hosting;

/// <summary>Listener and connection limits from <c>[server]</c> and <c>[timeouts]</c> (restart keys).</summary>
internal static class KestrelSetup
{
    /// <summary>Slow clients get this long before the minimum data rate is enforced.</summary>
    private static readonly TimeSpan RateGracePeriod = TimeSpan.FromSeconds(10);

    public static WebApplicationBuilder AddHmacPortalKestrel(this WebApplicationBuilder builder, ServerMetrics metrics)
    {
        var server = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        var timeouts = builder.Configuration.GetSection(TimeoutsOptions.Section).Get<TimeoutsOptions>() ?? new TimeoutsOptions();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Every listener counts its open connections for active_connections_total.
            void Counted(ListenOptions listen) => listen.Use(next => async connection =>
            {
                metrics.ActiveConnections.Inc();
                try
                {
                    await next(connection);
                }
                finally
                {
                    metrics.ActiveConnections.Dec();
                }
            });

            if (server.UnixSocket)
            {
                RemoveStaleSocket(server.ListenAddress);
                kestrel.ListenUnixSocket(server.ListenAddress, Counted);
            }
            else if (ListenEndpoint.TryParse(server.ListenAddress, server.BindIp, out var endpoint, out _))
            {
                kestrel.Listen(endpoint, Counted);
            }

            if (server.MetricsEnabled && server.MetricsPortNumber is { } metricsPort && IPAddress.TryParse(server.BindIp, out var bind))
            {
                kestrel.Listen(bind, metricsPort, Counted);
            }

            kestrel.Limits.KeepAliveTimeout = timeouts.IdleTimeout;
            kestrel.Limits.RequestHeadersTimeout = timeouts.HeaderTimeout;
            kestrel.Limits.MinRequestBodyDataRate = timeouts.MinRequestRate.Bytes > 0
                ? new MinDataRate(timeouts.MinRequestRate.Bytes, RateGracePeriod)
                : null;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = timeouts.Shutdown);
        return builder;
    }

    /// <summary>A socket left by a process that was killed blocks the bind; sockets have no content to lose.</summary>
    private static void RemoveStaleSocket(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length == 0)
        {
            info.Delete();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
