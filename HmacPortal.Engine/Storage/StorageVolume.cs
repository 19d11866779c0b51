namespace HmacPortal.Engine.Storage;

/// <summary>Space on the file system that holds a directory.</summary>
public readonly record struct StorageVolume(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;

    /// <summary>Reads the volume of <paramref name="directory"/> (statvfs of that path, not of its mount root's name).</summary>
    public static StorageVolume Of(string directory)
    {
        var drive = new DriveInfo(Path.GetFullPath(directory));
        return new StorageVolume(drive.AvailableFreeSpace, drive.TotalSize);
    }
}
