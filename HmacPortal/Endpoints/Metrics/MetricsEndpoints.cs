using System.Security.Cryptography;
using System.Text;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;
using Prometheus;

namespace HmacPortal.Endpoints.Metrics;

/// <summary><c>GET /metrics</c> when <c>metricsenabled</c>: on <c>metricsport</c> alone when set, behind <c>metrics_token</c> when set.</summary>
internal static class MetricsEndpoints
{
    public static WebApplication UseServerMetrics(this WebApplication app, ServerMetrics metrics)
    {
        app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
        return app;
    }

    public static WebApplication MapServerMetrics(this WebApplication app)
    {
        var server = app.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        if (!server.MetricsEnabled)
        {
            return app;
        }

        // Figures that are states rather than events are read when Prometheus scrapes.
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            var services = app.Services;
            var transfers = services.GetRequiredService<Engine.Telemetry.TransferMonitor>();
            metrics.UploadsInProgress.Set(transfers.Snapshot().Active.Count);
            metrics.BytesReceived.IncTo(transfers.TotalBytesReceived);
            metrics.BytesSent.IncTo(transfers.TotalBytesSent);
            metrics.ResumableOpen.Set(services.GetRequiredService<Engine.Resumable.TusService>().ListOpen().Count);
            // While the storage is unavailable the free space keeps its last figure: the gauge below says why.
            var storage = services.GetRequiredService<Engine.Health.ServerStatus>().Storage;
            if (storage.Available)
            {
                metrics.StorageFree.Set(storage.Volume.FreeBytes);
            }

            metrics.StorageAvailable.Set(storage.Available ? 1 : 0);

            var database = services.GetRequiredService<Engine.Metadata.Database>();
            metrics.DatabaseAvailable.Set(database.Unreachable ? 0 : 1);
            try
            {
                metrics.StoredBytes.Set(await services.GetRequiredService<Engine.Metadata.FileCatalog>().TotalSizeAsync(cancellationToken));
            }
            catch (System.Data.Common.DbException)
            {
                // The scrape goes on without it: the database being away is what it must show.
                metrics.DatabaseAvailable.Set(0);
            }

            var redis = services.GetRequiredService<Engine.Cluster.RedisConnection>();
            if (redis.Enabled)
            {
                metrics.RedisShared.Set(redis.Shared ? 1 : 0);
            }

            metrics.BansActive.Set(services.GetRequiredService<Engine.Protection.BanList>().Current().Count);
            var jobs = services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().GetStatistics();
            metrics.JobsSucceeded.IncTo(jobs.Succeeded);
            metrics.JobsFailed.IncTo(jobs.Failed);
            var queue = services.GetRequiredService<Engine.Processing.ProcessingQueue>();
            var workers = services.GetRequiredService<Engine.Processing.ProcessingWorkers>();
            metrics.QueueDepth.Set(queue.Depth);
            metrics.QueueCapacity.Set(queue.Capacity);
            metrics.Workers.Set(workers.Count);
            metrics.WorkersBusy.Set(workers.Busy);
            metrics.QueueProcessed.IncTo(queue.Processed);
            metrics.QueueFailed.IncTo(queue.Failed);
            metrics.QueueOverflowed.IncTo(queue.Overflowed);
            metrics.QueueWait.IncTo(queue.TotalWait.TotalSeconds);
            var dedup = services.GetRequiredService<Engine.Dedup.DedupStore>();
            metrics.Deduplicated.IncTo(dedup.DeduplicatedCount);
            metrics.DedupBytesSaved.IncTo(dedup.BytesSaved);
            var scanner = services.GetRequiredService<Engine.Scanning.VirusScanner>();
            metrics.Scans.IncTo(scanner.Scanned);
            metrics.Infected.IncTo(scanner.Infected);
            metrics.ScannerAvailable.Set(scanner.Enabled && scanner.Available ? 1 : 0);
        });

        var endpoint = app.MapGet("/metrics", ExportAsync);
        if (server.MetricsPortNumber is { } port)
        {
            endpoint.RequireHost($"*:{port}");
        }

        return app;
    }

    private static async Task ExportAsync(HttpContext context, ServerMetrics metrics, IOptionsMonitor<ServerOptions> server)
    {
        var token = server.CurrentValue.MetricsToken;
        if (token.Length > 0)
        {
            var given = context.Request.Headers.Authorization.ToString();
            var expected = "Bearer " + token;
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }
}
