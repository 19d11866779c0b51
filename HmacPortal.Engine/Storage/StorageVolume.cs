namespace HmacPortal.Engine.Storage;

/// <summary>Space on the file system that holds a directory.</summary>
public readonly record struct StorageVolume(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;

    /// <summary>Reads the volume of <paramref name="directory"/> (statvfs of that path, not of its mount root's name).</summary>
    /// <exception cref="StorageUnavailableException">The directory does not exist.</exception>
    public static StorageVolume Of(string directory)
    {
        var full = Path.GetFullPath(directory);
        try
        {
            var drive = new DriveInfo(full);
            return new StorageVolume(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (DriveNotFoundException ex)
        {
            throw new StorageUnavailableException($"the storage directory {full} does not exist: removed, or its volume is not mounted", ex);
        }
    }
}
