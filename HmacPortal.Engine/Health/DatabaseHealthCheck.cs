using HmacPortal.Engine.Metadata;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HmacPortal.Engine.Health;

/// <summary>Ready when the database answers; while it does not, uploads are refused and downloads go on from the disk.</summary>
internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["engine"] = database.Engine.ToString() };
        try
        {
            using var lease = database.Borrow();
            using var command = lease.Command("SELECT 1");
            command.ExecuteScalar();
            return Task.FromResult(HealthCheckResult.Healthy("answering", data));
        }
        catch (System.Data.Common.DbException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("unreachable, so uploads are refused with 503 and downloads are served from the disk", ex, data));
        }
    }
}
