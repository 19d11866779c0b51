using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Watches free space against <c>min_free_bytes</c>. Every upload already checks the space it needs
/// (507 when it would not fit); this job notices the volume itself crossing the line, says so once
/// in the log each way, and keeps the figure for the health checks and the console.
/// </summary>
public sealed class DiskSpaceWatchdog(FileStore files, IOptionsMonitor<ServerOptions> server, ILogger<DiskSpaceWatchdog> logger)
{
    private readonly Lock _gate = new();

    /// <summary>True while free space is below <c>min_free_bytes</c> (as of the last run).</summary>
    public bool IsLow { get; private set; }

    /// <summary>Free bytes as of the last run; -1 before the first and while the storage is unavailable.</summary>
    public long LastFreeBytes { get; private set; } = -1;

    /// <summary>Reads the free space; throws <see cref="StorageUnavailableException"/>, forgetting the last figure, while the storage is unavailable.</summary>
    public Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        long free;
        try
        {
            free = files.Volume().FreeBytes;
        }
        catch (StorageUnavailableException)
        {
            // No figure for a volume that is not there; once it is back, a crossing is said again.
            lock (_gate)
            {
                (IsLow, LastFreeBytes) = (false, -1);
            }

            throw;
        }

        var minimum = server.CurrentValue.MinFreeBytes.Bytes;
        lock (_gate)
        {
            var low = free < minimum;
            if (low != IsLow)
            {
                if (low)
                {
                    JobsLog.SpaceLow(logger, free, minimum);
                }
                else
                {
                    JobsLog.SpaceRestored(logger, free);
                }
            }

            (IsLow, LastFreeBytes) = (low, free);
            return Task.FromResult(low);
        }
    }
}
