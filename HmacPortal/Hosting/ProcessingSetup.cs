using Hangfire;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Dedup;
using HmacPortal.Engine.Processing;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// Post-processing: the bounded queue every committed upload is put on, its workers (started and
/// drained with the host), and the job server as the place work goes when the queue is full.
/// </summary>
internal static class ProcessingSetup
{
    public static IServiceCollection AddHmacPortalProcessing(this IServiceCollection services)
    {
        services.AddSingleton<DedupStore>();
        services.AddSingleton<HmacPortal.Engine.Thumbnails.ThumbnailStore>();
        services.AddSingleton<HmacPortal.Engine.Scanning.VirusScanner>();
        services.AddSingleton<HmacPortal.Engine.Scanning.Quarantine>();
        services.AddSingleton<FileProcessor>();
        services.AddSingleton<IFileProcessor>(provider => provider.GetRequiredService<FileProcessor>());
        services.AddSingleton<ProcessingQueue>();
        services.AddSingleton<ProcessingWorkers>();
        services.AddSingleton<ProcessingJobs>();
        services.AddSingleton<IProcessingOverflow, JobServerOverflow>();
        services.AddHostedService<WorkersHost>();
        return services;
    }

    /// <summary>Hands processing to Hangfire, which runs <see cref="ProcessingJobs.ProcessAsync"/> as soon as a job worker is free.</summary>
    private sealed class JobServerOverflow(IBackgroundJobClient jobs) : IProcessingOverflow
    {
        public void Hand(string path) => jobs.Enqueue<ProcessingJobs>(j => j.ProcessAsync(path, CancellationToken.None));
    }

    /// <summary>Starts the workers with the host; on stop lets them empty the queue within <c>[timeouts] shutdown</c>.</summary>
    private sealed class WorkersHost(ProcessingWorkers workers, IOptions<TimeoutsOptions> timeouts) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            workers.Start();
            return Task.CompletedTask;
        }

        // Within the host's own shutdown time, leaving a little for the rest of the stop.
        public Task StopAsync(CancellationToken cancellationToken) =>
            workers.StopAsync(TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, timeouts.Value.Shutdown.Ticks * 3 / 4)), cancellationToken);
    }
}
