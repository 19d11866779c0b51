using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Health;

/// <summary>
/// Ready when the storage directory is the volume the records describe, takes a write and has more
/// than <c>min_free_bytes</c> free.
/// </summary>
internal sealed class StorageHealthCheck(IOptionsMonitor<ServerOptions> options, FileStore files) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var server = options.CurrentValue;
        StorageVolume volume;
        try
        {
            volume = files.Volume();
        }
        catch (StorageUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }

        var probe = Path.Combine(server.StoragePath, $".hmacportal-health-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("storage directory is not writable");
        }
        finally
        {
            // A probe that was never written (the directory is gone) has nothing to delete.
            if (File.Exists(probe))
            {
                File.Delete(probe);
            }
        }

        var data = new Dictionary<string, object>
        {
            ["free_bytes"] = volume.FreeBytes,
            ["total_bytes"] = volume.TotalBytes,
            ["min_free_bytes"] = server.MinFreeBytes.Bytes,
        };
        return volume.FreeBytes < server.MinFreeBytes.Bytes
            ? HealthCheckResult.Unhealthy("free space is below min_free_bytes; uploads are refused", data: data)
            : HealthCheckResult.Healthy("writable, enough free space", data);
    }
}
