using HmacPortal.Engine.Configuration;

namespace HmacPortal.Hosting;

/// <summary>Logs the config file's warnings at start and the outcome of every reload.</summary>
internal sealed class ConfigReloadLog(TomlConfigurationProvider provider, ILogger<ConfigReloadLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var warning in provider.InitialRead?.Warnings ?? [])
        {
            HostingLog.ConfigWarning(logger, warning.ToString());
        }

        provider.Reloaded += OnReloaded;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        provider.Reloaded -= OnReloaded;
        return Task.CompletedTask;
    }

    private void OnReloaded(ConfigReloadResult result)
    {
        if (result.Applied)
        {
            foreach (var warning in result.Diagnostics.Where(d => !d.IsError))
            {
                HostingLog.ConfigWarning(logger, warning.ToString());
            }

            HostingLog.ConfigApplied(logger, provider.FilePath);
        }
        else if (result.Diagnostics.Count > 0)
        {
            HostingLog.ConfigRejected(logger, provider.FilePath,
                string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.ToString())));
        }
    }
}
