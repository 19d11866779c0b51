using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>Writes <c>pidfilepath</c> atomically when the host starts and removes it when it stops.</summary>
internal sealed class PidFile(IOptions<ServerOptions> options) : IHostedService
{
    private string? _written;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.PidFilePath;
        if (!string.IsNullOrWhiteSpace(path))
        {
            AtomicFile.WriteAllText(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n",
                AtomicFile.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            _written = path;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_written is not null)
        {
            File.Delete(_written);
            _written = null;
        }

        return Task.CompletedTask;
    }
}
