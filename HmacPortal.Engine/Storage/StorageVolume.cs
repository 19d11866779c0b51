namespace HmacPortal.Engine.Storage;

/// <summary>Space on the file system that holds a directory.</summary>
public readonly record struct StorageVolume(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;

    /// <summary>Reads the volume of <paramref name="directory"/> (one statvfs of that path, not of its mount root's name).</summary>
    /// <exception cref="StorageUnavailableException">The directory does not exist, or its volume cannot be read.</exception>
    public static StorageVolume Of(string directory)
    {
        var full = Path.GetFullPath(directory);
        return NativeFile.Space(full, out var available, out var total) switch
        {
            0 => new StorageVolume(available, total),
            Errno.NoEnt or Errno.NotDir => throw new StorageUnavailableException($"the storage directory {full} does not exist: removed, or its volume is not mounted"),
            var error => throw new StorageUnavailableException($"the volume of the storage directory {full} cannot be read (errno {error})"),
        };
    }
}
