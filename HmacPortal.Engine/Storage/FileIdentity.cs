namespace HmacPortal.Engine.Storage;

/// <summary>Which file a name points at (device and inode), how many names it has, and its size.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, uint Links, long Size)
{
    public bool IsSameFile(FileIdentity other) => Device == other.Device && Inode == other.Inode;
}
