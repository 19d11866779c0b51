using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Storage;

/// <summary>Reserving room past a file's end, on the machine's own disk and on a volume too small for it; reading a volume's space.</summary>
public sealed class NativeFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReserveAhead_KeepsTheLength_AndTheRoomCountsAsAllocatedPastTheEnd()
    {
        using var file = new FileStream(_dir.Combine("data.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        file.Write(SignedUploads.Body(10_000));
        file.Flush();

        var before = NativeFile.AllocatedPast(file.SafeFileHandle, 10_000);
        var error = NativeFile.ReserveAhead(file.SafeFileHandle, 10_000, 8 << 20);
        var after = NativeFile.AllocatedPast(file.SafeFileHandle, 10_000);

        Assert.Equal(0, error);
        Assert.Equal(10_000, file.Length);
        Assert.Equal(0, before);
        Assert.InRange(after, (8 << 20) - 8192, (8 << 20) + 8192);
        Assert.InRange(NativeFile.AllocatedPast(file.SafeFileHandle, 4 << 20), (4 << 20) - 8192, (4 << 20) + 16384);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReserveAhead_MoreThanTheVolumeHas_IsNoSpace_AndHoldsNothing(bool ext4)
    {
        // ext4 keeps what it allocated before running out; tmpfs gives it back itself.
        using var small = new SmallFileSystem(ext4 ? "8m" : "1m", ext4);
        var free = new DriveInfo(small.Path).AvailableFreeSpace;
        using var file = new FileStream(Path.Combine(small.Path, "data.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);

        var error = NativeFile.ReserveAhead(file.SafeFileHandle, 0, 16 << 20);

        Assert.Equal(28, error);
        Assert.Equal(0, file.Length);
        Assert.Equal(0, NativeFile.AllocatedPast(file.SafeFileHandle, 0));
        Assert.Equal(free, new DriveInfo(small.Path).AvailableFreeSpace);
    }

    [Fact]
    public void StorageVolume_ReadsTheFreeAndTotalBytesOfTheDirectorysVolume_AsDriveInfoDoes()
    {
        using var small = new SmallFileSystem("4m");
        var empty = StorageVolume.Of(small.Path);
        File.WriteAllBytes(Path.Combine(small.Path, "data.bin"), SignedUploads.Body(1 << 20));
        var drive = new DriveInfo(small.Path);

        var used = StorageVolume.Of(small.Path);

        Assert.Equal((4L << 20, 4L << 20), (empty.FreeBytes, empty.TotalBytes));
        Assert.Equal((drive.AvailableFreeSpace, drive.TotalSize), (used.FreeBytes, used.TotalBytes));
        Assert.Equal(3L << 20, used.FreeBytes);
    }

    [Fact]
    public void StorageVolume_OfADirectoryThatIsNotThere_IsUnavailableStorage()
    {
        File.WriteAllBytes(_dir.Combine("file"), [1]);

        Assert.Contains("does not exist", Assert.Throws<StorageUnavailableException>(() => StorageVolume.Of(_dir.Combine("missing"))).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<StorageUnavailableException>(() => StorageVolume.Of(_dir.Combine("file", "below"))).Message, StringComparison.Ordinal);
    }
}
