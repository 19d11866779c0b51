using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>Creates the storage and data directories before anything uses them; fails start-up if it cannot.</summary>
internal sealed class StorageDirectories(IOptions<ServerOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.StoragePath);
        var data = Directory.CreateDirectory(options.Value.DataPath);
        // The metadata and session files are nobody else's business.
        data.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
