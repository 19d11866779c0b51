using System.Reflection;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Health;

/// <summary>What the home page, the admin console and the metrics show about the running server.</summary>
/// <param name="files">Reads the volume through the storage guard; without it (tests of a page alone), straight from the directory.</param>
public sealed class ServerStatus(TimeProvider clock, IOptionsMonitor<ServerOptions> server, FileStore? files = null)
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    public static string Version { get; } =
        typeof(ServerStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public TimeSpan Uptime => clock.GetUtcNow() - _startedAt;

    public ByteSize MinFreeBytes => server.CurrentValue.MinFreeBytes;

    public ByteSize MaxUploadSize => server.CurrentValue.MaxUploadSize;

    /// <summary>The storage volume's space, or why the storage is unavailable (never an exception: pages and scrapes go on).</summary>
    public StorageStatus Storage
    {
        get
        {
            try
            {
                return new StorageStatus(files?.Volume() ?? StorageVolume.Of(server.CurrentValue.StoragePath), null);
            }
            catch (StorageUnavailableException ex)
            {
                return new StorageStatus(default, ex.Message);
            }
        }
    }
}

/// <summary>The storage volume as the status shows it: its space while it is available, else why not (and no figures).</summary>
public readonly record struct StorageStatus(StorageVolume Volume, string? Problem)
{
    public bool Available => Problem is null;
}
