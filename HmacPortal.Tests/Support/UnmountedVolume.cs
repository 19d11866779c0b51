using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Support;

/// <summary>Storage whose volume is not mounted: data_path remembers a volume marker the storage directory does not carry.</summary>
public static class UnmountedVolume
{
    /// <summary>A file store over <paramref name="server"/>'s directories that answers as such storage does (StorageUnavailableException).</summary>
    public static FileStore Files(IOptionsMonitor<ServerOptions> server)
    {
        Directory.CreateDirectory(server.CurrentValue.StoragePath);
        Directory.CreateDirectory(server.CurrentValue.DataPath);
        File.WriteAllText(Path.Combine(server.CurrentValue.DataPath, StorageVolumeGuard.RecordName), "the-real-volume");
        return new FileStore(server, new StorageVolumeGuard(server, NullLogger<StorageVolumeGuard>.Instance));
    }
}
