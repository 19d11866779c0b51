using System.Text;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Resumable;

/// <summary>
/// What a resumable upload resumes from: the unflushed progress record while the machine has not
/// restarted, the flushed sidecar after it did, and never a record that counts bytes the disk may
/// have lost.
/// </summary>
public sealed class SessionStoreTests : IDisposable
{
    private const string ThisBoot = "boot-before";
    private readonly PortalWorld _world = new();

    public void Dispose() => _world.Dispose();

    private SessionStore StoreOf(string? boot) => new(_world.ServerMonitor, boot);

    [Fact]
    public void Progress_IsResumedFromAfterAProcessRestart_ButAfterAReboot_TheFlushedSidecarIs()
    {
        var store = StoreOf(ThisBoot);
        var (id, session) = Create(store);
        var progressed = WriteAndRecord(store, session, 100);

        Assert.Equal(100, store.Get(id)!.Offset);
        Assert.Equal(100, StoreOf(ThisBoot).Get(id)!.Offset);
        Assert.Equal(progressed.Revision, StoreOf(ThisBoot).Get(id)!.Revision);

        var afterReboot = StoreOf("boot-after").Get(id)!;
        Assert.Equal(0, afterReboot.Offset);
        Assert.Equal(session.TargetPath, afterReboot.TargetPath);
    }

    [Fact]
    public void AFlushedSave_WinsOverAnOlderProgressRecord_EvenOneLeftBehindByACrash()
    {
        var store = StoreOf(ThisBoot);
        var (id, session) = Create(store);
        var progressed = WriteAndRecord(store, session, 100);
        var live = Path.Combine(store.Directory, id.Value + ".live");
        var leftBehind = File.ReadAllText(live);

        var saved = store.Checkpoint(progressed with { Offset = 100, Metadata = new Dictionary<string, string> { ["note"] = "saved" } });

        Assert.False(File.Exists(live));
        Assert.Equal(100, saved.FlushedOffset);
        File.WriteAllText(live, leftBehind);
        Assert.Equal("saved", store.Get(id)!.Metadata["note"]);
        Assert.Equal(100, StoreOf("boot-after").Get(id)!.Offset);
    }

    [Fact]
    public void AnUnreadableProgressRecord_FallsBackToTheSidecar_AndDeleteRemovesIt()
    {
        var store = StoreOf(ThisBoot);
        var (id, session) = Create(store);
        WriteAndRecord(store, session, 100);
        var live = Path.Combine(store.Directory, id.Value + ".live");
        File.WriteAllText(live, "{ not json");

        Assert.Equal(0, store.Get(id)!.Offset);
        Assert.True(store.Delete(id));
        Assert.False(File.Exists(live));
        Assert.Null(store.Get(id));
    }

    [Fact]
    public void AProgressRecord_IsRewrittenInPlace_AShorterOneReadsWhole_AndATornOneIsNotTrusted()
    {
        var store = StoreOf(ThisBoot);
        var (id, session) = Create(store);
        var live = Path.Combine(store.Directory, id.Value + ".live");
        var longer = WriteAndRecord(store, session with { Metadata = new Dictionary<string, string> { ["note"] = new string('n', 300) } }, 100);
        var longLength = new FileInfo(live).Length;

        var shorter = WriteAndRecord(store, longer with { Metadata = new Dictionary<string, string>() }, 50);

        // The same file, padded to the longer record's length, and read as the newer record.
        Assert.Equal(longLength, new FileInfo(live).Length);
        var read = store.Get(id)!;
        Assert.Equal(150, read.Offset);
        Assert.Equal(shorter.Revision, read.Revision);
        Assert.Empty(read.Metadata);

        // A record caught half-written (here: a digit of its offset changed) does not match its checksum.
        var text = File.ReadAllText(live);
        File.WriteAllText(live, text.Replace("\"Offset\":150", "\"Offset\":950", StringComparison.Ordinal));
        Assert.NotEqual(text, File.ReadAllText(live));
        Assert.Equal(0, store.Get(id)!.Offset);
    }

    [Fact]
    public void WithoutABootId_ProgressIsFlushedAndSaved()
    {
        var store = StoreOf(null);
        var (id, session) = Create(store);
        WriteAndRecord(store, session, 100);

        Assert.False(File.Exists(Path.Combine(store.Directory, id.Value + ".live")));
        Assert.Equal(100, StoreOf("boot-after").Get(id)!.Offset);
    }

    [Fact]
    public void WithRedis_SeveralNodesShareUploads_SoEveryRecordIsFlushed()
    {
        var clustered = new SessionStore(_world.ServerMonitor, Microsoft.Extensions.Options.Options.Create(new HmacPortal.Engine.Configuration.RedisOptions { RedisEnabled = true }));
        var single = new SessionStore(_world.ServerMonitor, Microsoft.Extensions.Options.Options.Create(new HmacPortal.Engine.Configuration.RedisOptions()));
        var (clusteredId, clusteredSession) = Create(clustered);
        var (singleId, singleSession) = Create(single);

        WriteAndRecord(clustered, clusteredSession, 100);
        WriteAndRecord(single, singleSession, 100);

        Assert.False(File.Exists(Path.Combine(clustered.Directory, clusteredId.Value + ".live")));
        Assert.True(File.Exists(Path.Combine(single.Directory, singleId.Value + ".live")));
        Assert.Equal(100, StoreOf("another-machine").Get(clusteredId)!.Offset);
    }

    [Fact]
    public void TheBootIdIsReadFromTheKernel_AndAMissingOneIsNull()
    {
        Assert.Matches("^[0-9a-f-]{36}$", MachineBoot.Id);
        Assert.Null(MachineBoot.Read(Path.Combine(_world.Server.StoragePath, "no-such-file")));
    }

    [Fact]
    public async Task TusPatches_LeaveProgress_AndAWholePartIsFlushedBeforeItsSidecarSaysSo()
    {
        var id = await _world.CreateTusUploadAsync("part.bin", 100, "partial");

        Assert.Equal(TusResult.Written, (await _world.PatchTusAsync(id, 0, 60)).Result);
        Assert.Equal(60, _world.Sessions.Get(id)!.Offset);
        Assert.Equal(0, StoreOf("boot-after").Get(id)!.Offset);

        var whole = await _world.PatchTusAsync(id, 60, 40);
        Assert.Equal(TusResult.Written, whole.Result);
        Assert.True(whole.Session!.Completed);
        var afterReboot = StoreOf("boot-after").Get(id)!;
        Assert.Equal(100, afterReboot.Offset);
        Assert.True(afterReboot.Completed);
        Assert.Equal(100, new FileInfo(_world.Sessions.DataPath(id)).Length);
    }

    private static (UploadId Id, UploadSession Session) Create(SessionStore store)
    {
        var id = UploadId.New();
        var session = new UploadSession
        {
            Id = id.Value,
            Length = 1000,
            Metadata = new Dictionary<string, string>(),
            TargetPath = "slot/file.bin",
            ContentType = "application/octet-stream",
            MaxLength = 1000,
        };
        store.Create(session);
        return (id, store.Get(id)!);
    }

    private static UploadSession WriteAndRecord(SessionStore store, UploadSession session, int count)
    {
        using var data = new FileStream(store.DataPath(UploadId.TryParse(session.Id, out var id) ? id : throw new InvalidOperationException()), FileMode.Open, FileAccess.Write);
        data.Position = session.Offset;
        data.Write(Encoding.ASCII.GetBytes(new string('x', count)));
        return store.SaveProgress(session with { Offset = session.Offset + count }, data);
    }
}
