using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Storage;

/// <summary>When the storage root is taken for the volume the records describe, and when it is not.</summary>
public sealed class StorageVolumeGuardTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ListLogger<StorageVolumeGuard> _log = new();

    private string Storage => _dir.Combine("files");

    private string Data => _dir.Combine("state");

    private string Marker => Path.Combine(Storage, StorageVolumeGuard.MarkerName);

    private string Record => Path.Combine(Data, StorageVolumeGuard.RecordName);

    public void Dispose() => _dir.Dispose();

    private StorageVolumeGuard Guard(TestOptionsMonitor<ServerOptions>? options = null) =>
        new(options ?? new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = Storage, DataPath = Data }), _log);

    [Fact]
    public void ANewServer_GetsItsStorageDirectory_AndAMarkerItRemembers()
    {
        var problem = Guard().Prepare(filesRecorded: false);

        Assert.Null(problem);
        Assert.True(File.Exists(Marker));
        Assert.Equal(File.ReadAllText(Marker), File.ReadAllText(Record));
    }

    [Fact]
    public void AServerFromBeforeMarkers_AdoptsStorageThatHoldsFiles()
    {
        _dir.Write("files/room/a.bin", "stored");

        Assert.Null(Guard().Prepare(filesRecorded: true));
        Assert.Equal(File.ReadAllText(Marker), File.ReadAllText(Record));
    }

    [Fact]
    public void AnEmptyStorageDirectory_WithFilesRecorded_IsNotAdopted_AndNothingIsWrittenIntoIt()
    {
        Directory.CreateDirectory(Storage);

        var problem = Guard().Prepare(filesRecorded: true);

        Assert.Contains("empty but files are recorded", problem, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Storage));
        Assert.False(File.Exists(Record));
    }

    [Fact]
    public void AMissingStorageDirectory_WithAMarkerRemembered_IsNotCreated()
    {
        Assert.Null(Guard().Prepare(filesRecorded: false));
        Directory.Delete(Storage, recursive: true);

        var problem = Guard().Prepare(filesRecorded: false);

        Assert.Contains("does not exist", problem, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Storage));
    }

    [Fact]
    public void ANodeWithNewData_AdoptsTheMarkerTheStorageCarries()
    {
        _dir.Write($"files/{StorageVolumeGuard.MarkerName}", "shared-volume");

        Assert.Null(Guard().Prepare(filesRecorded: true));
        Assert.Equal("shared-volume", File.ReadAllText(Record));
    }

    [Fact]
    public void AnotherMarker_OrNone_IsRefused_LoggedOnce_AndTheRightOneIsTakenBackWithoutARestart()
    {
        var guard = Guard();
        Assert.Null(guard.Prepare(filesRecorded: false));
        var mine = File.ReadAllText(Marker);
        File.Move(Marker, Marker + ".away");
        File.WriteAllText(Marker, "another-volume");

        var other = Assert.Throws<StorageUnavailableException>(guard.Ensure);
        Assert.Throws<StorageUnavailableException>(guard.Ensure);
        File.Delete(Marker);
        var none = Assert.Throws<StorageUnavailableException>(guard.Ensure);
        File.Move(Marker + ".away", Marker);
        guard.Ensure();

        Assert.Contains("another volume's marker", other.Message, StringComparison.Ordinal);
        Assert.Contains("does not carry this server's volume marker", none.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Storage, other.Message + none.Message, StringComparison.Ordinal);
        Assert.Equal(mine, File.ReadAllText(Record));
        Assert.Equal(2, _log.Events.Count(e => e.Id.Id == 2200));
        Assert.Equal(1, _log.Events.Count(e => e.Id.Id == 2201));
    }

    [Fact]
    public void AMarkerCopiedWithTheFiles_IsTakenOnItsId()
    {
        // Verified once, a call compares the marker's identity (another file now), then its id (the same).
        var guard = Guard();
        Assert.Null(guard.Prepare(filesRecorded: false));
        var id = File.ReadAllText(Marker);
        File.Delete(Marker);
        File.WriteAllText(Marker, id);

        guard.Ensure();

        Assert.Equal(id, File.ReadAllText(Record));
    }

    [Fact]
    public void AnotherStoragePath_IsVerifiedAnew()
    {
        var options = new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = Storage, DataPath = Data });
        var guard = Guard(options);
        Assert.Null(guard.Prepare(filesRecorded: false));
        guard.Ensure();
        Directory.CreateDirectory(_dir.Combine("elsewhere"));

        options.Set(new ServerOptions { StoragePath = _dir.Combine("elsewhere"), DataPath = Data });

        Assert.Throws<StorageUnavailableException>(guard.Ensure);
    }

    [Fact]
    public void AStorageThatCannotTakeItsMarker_IsUnavailable_NotAFailedStart()
    {
        // Files there, none recorded yet (coming from the Go server), on a volume mounted read-only.
        using var small = new SmallFileSystem("1m");
        File.WriteAllText(Path.Combine(small.Path, "a.bin"), "stored");
        small.MakeReadOnly();
        var guard = new StorageVolumeGuard(new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = small.Path, DataPath = Data }), _log);

        var problem = guard.Prepare(filesRecorded: false);

        Assert.Equal("the storage's volume marker cannot be read or written (I/O error)", problem);
        Assert.Throws<StorageUnavailableException>(guard.Ensure);
        Assert.False(File.Exists(Record));
    }
}
