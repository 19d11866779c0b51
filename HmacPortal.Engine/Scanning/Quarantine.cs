using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Scanning;

/// <summary>
/// Where infected files go: <c>.hmacportal-quarantine/</c> in <c>storage_path</c>, an internal name
/// that can never be served, moved there by one rename (the same file system), kept for the
/// operator to inspect or delete.
/// </summary>
public sealed class Quarantine(IOptionsMonitor<ServerOptions> server, TimeProvider clock)
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-quarantine";

    public string Root => Path.Combine(server.CurrentValue.StoragePath, DirectoryName);

    /// <summary>Moves the stored file out of reach; false when it was gone already.</summary>
    public bool Take(StoragePath stored)
    {
        Directory.CreateDirectory(Root);
        var target = Path.Combine(Root, $"{clock.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid():N}-{stored.FileName}");
        try
        {
            File.Move(stored.ToFullPath(server.CurrentValue.StoragePath), target);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
