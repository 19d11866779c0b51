using Prometheus;

namespace HmacPortal.Endpoints.Metrics;

/// <summary>
/// Prometheus metrics under the names the Go server's users already graph (uploads_total,
/// upload_errors_total, upload_duration_seconds, upload_size_bytes, the download equivalents,
/// active_connections_total), each one recorded where it happens, and the process's own figures
/// (<c>process_*</c>: resident memory, open descriptors, threads, CPU; <c>dotnet_*</c>: the managed
/// heap and collections by generation), read at each scrape. One registry per host.
/// </summary>
internal sealed class ServerMetrics
{
    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        var sizes = new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1024, 4, 13) };
        var durations = new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 16) };
        Uploads = Factory.CreateCounter("uploads_total", "Files stored, by protocol.", ["protocol"]);
        UploadErrors = Factory.CreateCounter("upload_errors_total", "Uploads refused or failed, by protocol and HTTP status.", ["protocol", "status"]);
        UploadDuration = Factory.CreateHistogram("upload_duration_seconds", "Time from the start of an upload to its file being stored.", durations);
        UploadSize = Factory.CreateHistogram("upload_size_bytes", "Size of stored files.", sizes);
        Downloads = Factory.CreateCounter("downloads_total", "Files served (200 or 206).");
        DownloadErrors = Factory.CreateCounter("download_errors_total", "Downloads refused, by HTTP status.", ["status"]);
        DownloadDuration = Factory.CreateHistogram("download_duration_seconds", "Time to serve a download.", durations);
        DownloadSize = Factory.CreateHistogram("download_size_bytes", "Bytes sent per download.", sizes);
        ActiveConnections = Factory.CreateGauge("active_connections_total", "Open client connections.");
        UploadsInProgress = Factory.CreateGauge("hmacportal_uploads_in_progress", "Uploads receiving data now (PUT and resumable PATCH).");
        ResumableOpen = Factory.CreateGauge("hmacportal_resumable_uploads_open", "Unfinished resumable uploads.");
        StorageFree = Factory.CreateGauge("hmacportal_storage_free_bytes", "Free space on the storage volume.");
        StoredBytes = Factory.CreateGauge("hmacportal_stored_bytes", "Bytes held by all stored files.");
        BansActive = Factory.CreateGauge("hmacportal_bans_active", "Client addresses banned now.");
        BytesReceived = Factory.CreateCounter("hmacportal_bytes_received_total", "Upload bytes received.");
        BytesSent = Factory.CreateCounter("hmacportal_bytes_sent_total", "Download bytes served.");
        QuotaRefusals = Factory.CreateCounter("hmacportal_quota_refusals_total", "Uploads refused because a quota had no room.");
        RateLimited = Factory.CreateCounter("hmacportal_rate_limited_total", "Upload requests answered 429 by the rate limit.");
        JobsSucceeded = Factory.CreateCounter("hmacportal_jobs_succeeded_total", "Background job runs that succeeded.");
        JobsFailed = Factory.CreateCounter("hmacportal_jobs_failed_total", "Background job runs that failed.");
        QueueDepth = Factory.CreateGauge("hmacportal_processing_queue_depth", "Stored files waiting in the post-processing queue.");
        QueueCapacity = Factory.CreateGauge("hmacportal_processing_queue_capacity", "How many files the post-processing queue holds (uploadqueuesize).");
        Workers = Factory.CreateGauge("hmacportal_processing_workers", "Post-processing workers running.");
        WorkersBusy = Factory.CreateGauge("hmacportal_processing_workers_busy", "Post-processing workers processing a file now.");
        QueueProcessed = Factory.CreateCounter("hmacportal_processing_processed_total", "Files the post-processing workers finished.");
        QueueFailed = Factory.CreateCounter("hmacportal_processing_failed_total", "Files whose post-processing failed (the catch-up job tries them again).");
        QueueOverflowed = Factory.CreateCounter("hmacportal_processing_overflowed_total", "Files handed to the job server because the queue was full.");
        QueueWait = Factory.CreateCounter("hmacportal_processing_wait_seconds_total", "Time processed files waited in the queue; divide by processed for the mean wait.");
        Deduplicated = Factory.CreateCounter("files_deduplicated_total", "Files whose bytes were found already stored and are now shared.");
        DedupBytesSaved = Factory.CreateCounter("hmacportal_dedup_bytes_saved_total", "Bytes freed by deduplication.");
        Scans = Factory.CreateCounter("hmacportal_scans_total", "Files clamd scanned.");
        Infected = Factory.CreateCounter("hmacportal_infected_total", "Files clamd found malware in (quarantined).");
        ScannerAvailable = Factory.CreateGauge("hmacportal_scanner_available", "1 while clamd is being asked, 0 while its circuit breaker is open (only when [clamav] is on).");
        StorageAvailable = Factory.CreateGauge("hmacportal_storage_available", "1 while the storage directory is there and is the volume the records describe, 0 while it is not (uploads get 503 storage-unavailable).");
        DatabaseAvailable = Factory.CreateGauge("hmacportal_database_available", "1 while the database is used, 0 while PostgreSQL's breaker is open and uploads are refused.");
        RedisShared = Factory.CreateGauge("hmacportal_redis_shared", "With [redis]: 1 while this node shares its state through Redis, 0 while it works alone.",
            new GaugeConfiguration { SuppressInitialValue = true });
    }

    public Gauge UploadsInProgress { get; }

    public Gauge ResumableOpen { get; }

    public Gauge StorageFree { get; }

    public Gauge StoredBytes { get; }

    public Gauge BansActive { get; }

    public Counter BytesReceived { get; }

    public Counter BytesSent { get; }

    public Counter QuotaRefusals { get; }

    public Counter RateLimited { get; }

    public Counter JobsSucceeded { get; }

    public Counter JobsFailed { get; }

    public Gauge QueueDepth { get; }

    public Gauge QueueCapacity { get; }

    public Gauge Workers { get; }

    public Gauge WorkersBusy { get; }

    public Counter QueueProcessed { get; }

    public Counter QueueFailed { get; }

    public Counter QueueOverflowed { get; }

    public Counter QueueWait { get; }

    public Counter Deduplicated { get; }

    public Counter DedupBytesSaved { get; }

    public Counter Scans { get; }

    public Counter Infected { get; }

    public Gauge ScannerAvailable { get; }

    public Gauge DatabaseAvailable { get; }

    public Gauge StorageAvailable { get; }

    /// <summary>Exported only when Redis is configured, so a single node never looks as if it had lost its cluster.</summary>
    public Gauge RedisShared { get; }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    public Counter Uploads { get; }

    public Counter UploadErrors { get; }

    public Histogram UploadDuration { get; }

    public Histogram UploadSize { get; }

    public Counter Downloads { get; }

    public Counter DownloadErrors { get; }

    public Histogram DownloadDuration { get; }

    public Histogram DownloadSize { get; }

    public Gauge ActiveConnections { get; }

    public void UploadStored(string protocol, long size, TimeSpan duration)
    {
        Uploads.WithLabels(protocol).Inc();
        UploadSize.Observe(size);
        UploadDuration.Observe(duration.TotalSeconds);
    }

    public void UploadFailed(string protocol, int status) =>
        UploadErrors.WithLabels(protocol, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public void DownloadServed(long bytes, TimeSpan duration)
    {
        Downloads.Inc();
        DownloadSize.Observe(bytes);
        DownloadDuration.Observe(duration.TotalSeconds);
    }

    public void DownloadFailed(int status) =>
        DownloadErrors.WithLabels(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
}
