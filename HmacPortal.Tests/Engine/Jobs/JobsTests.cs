using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Jobs;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Jobs;

public sealed class JobsTests : IDisposable
{
    private readonly PortalWorld _world = new();

    private ExpiryJob Expiry() => new(_world.Metadata, _world.Catalog, _world.Files, _world.ServerMonitor, _world.Clock, NullLogger<ExpiryJob>.Instance);

    private SweepJob Sweep() => new(_world.Tus, _world.Files, _world.Clock, NullLogger<SweepJob>.Instance);

    private MaintenanceJob Maintenance() => new(_world.Database, _world.Metadata, _world.Files, NullLogger<MaintenanceJob>.Instance);

    [Fact]
    public async Task Expiry_DeletesFilesPastTheirExpiry_WithRecordAndEmptyDirectory_AndKeepsTheRest()
    {
        var now = _world.Clock.GetUtcNow();
        var gone = await _world.StoreAsync("slot1/old.bin", "alice", [1], expires: now.AddMinutes(-1));
        var kept = await _world.StoreAsync("slot2/fresh.bin", "alice", [2], expires: now.AddMinutes(1));
        var forever = await _world.StoreAsync("slot3/keep.bin", null, [3]);

        var deleted = await Expiry().RunAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.False(_world.OnDisk(gone));
        Assert.Null(await _world.Metadata.GetAsync(gone, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_world.Server.StoragePath, "slot1")));
        Assert.True(Directory.Exists(_world.Server.StoragePath));
        Assert.True(_world.OnDisk(kept));
        Assert.True(_world.OnDisk(forever));
    }

    [Fact]
    public async Task Expiry_WithFileTtl_DeletesOldFilesWithoutAnExpiryOfTheirOwn()
    {
        _world.Server.FileTtlEnabled = true;
        _world.Server.FileTtl = TimeSpan.FromDays(7);
        var old = await _world.StoreAsync("a/old.bin", null, [1]);
        var ownExpiry = await _world.StoreAsync("b/own.bin", null, [2], expires: _world.Clock.GetUtcNow().AddDays(30));
        _world.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var young = await _world.StoreAsync("c/young.bin", null, [3]);

        await Expiry().RunAsync(CancellationToken.None);

        Assert.False(_world.OnDisk(old));
        Assert.True(_world.OnDisk(ownExpiry));
        Assert.True(_world.OnDisk(young));
    }

    [Fact]
    public async Task Expiry_WithFileTtlOff_KeepsFilesWithoutExpiryForever()
    {
        var file = await _world.StoreAsync("a/old.bin", null, [1]);
        _world.Clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(0, await Expiry().RunAsync(CancellationToken.None));
        Assert.True(_world.OnDisk(file));
    }

    [Fact]
    public async Task Expiry_OfMoreThanABatch_DeletesEveryFile_AndAuditsEachOnce_EvenTwoRunsAtOnce()
    {
        var audit = new global::HmacPortal.Engine.Audit.AuditTrail(_world.Database, _world.Clock);
        var catalog = new global::HmacPortal.Engine.Metadata.FileCatalog(_world.Metadata, _world.Files, NullLogger<global::HmacPortal.Engine.Metadata.FileCatalog>.Instance, audit);
        ExpiryJob Job() => new(_world.Metadata, catalog, _world.Files, _world.ServerMonitor, _world.Clock, NullLogger<ExpiryJob>.Instance);
        var now = _world.Clock.GetUtcNow();
        for (var i = 0; i < 1100; i++)
        {
            await _world.StoreAsync($"b{i % 7}/f{i}.bin", "alice", [1, 2], expires: now.AddMinutes(-1));
        }

        await _world.StoreAsync("kept/f.bin", "alice", [1], expires: now.AddMinutes(1));

        var runs = await Task.WhenAll(Task.Run(() => Job().RunAsync(CancellationToken.None)), Task.Run(() => Job().RunAsync(CancellationToken.None)));

        Assert.Equal(1100, runs.Sum());
        var left = (await _world.Metadata.QueryAsync(new global::HmacPortal.Engine.Metadata.FileQuery(Take: 100), CancellationToken.None)).Items;
        Assert.Equal("kept/f.bin", Assert.Single(left).Path);
        Assert.Equal(["kept"], Directory.GetDirectories(_world.Server.StoragePath).Select(Path.GetFileName));
        var entries = audit.Query("file.deleted", null, 0, 500);
        Assert.Equal(1100, entries.Total);
        Assert.All(entries.Entries, e => Assert.Equal(("expiry", "2 bytes, owner alice"), (e.Actor, e.Detail)));
    }

    [Fact]
    public async Task Expiry_TwiceAtOnce_LeavesWhatOnceLeaves()
    {
        var now = _world.Clock.GetUtcNow();
        for (var i = 0; i < 40; i++)
        {
            await _world.StoreAsync($"d{i}/f.bin", "alice", [1], expires: i % 2 == 0 ? now.AddMinutes(-1) : now.AddMinutes(1));
        }

        await Task.WhenAll(Task.Run(() => Expiry().RunAsync(CancellationToken.None)), Task.Run(() => Expiry().RunAsync(CancellationToken.None)));

        var left = (await _world.Metadata.QueryAsync(new global::HmacPortal.Engine.Metadata.FileQuery(Take: 100), CancellationToken.None)).Items.Select(r => r.Path).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i % 2 == 1).Select(i => $"d{i}/f.bin").Order(StringComparer.Ordinal), left);
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(i % 2 == 1, _world.OnDisk($"d{i}/f.bin")));
        Assert.Equal(20, Directory.GetDirectories(_world.Server.StoragePath).Length);
    }

    [Fact]
    public async Task Sweep_RemovesExpiredUploadsAfterTheirRetention_AndIdleTempFiles()
    {
        var session = await CreateUploadAsync();
        _world.Clock.Advance(_world.Uploads.SessionTimeout);
        var idleTemp = TempFile("x", _world.Clock.GetUtcNow().AddHours(-2));
        var busyTemp = TempFile("y", _world.Clock.GetUtcNow().AddMinutes(-5));

        var early = await Sweep().RunAsync(CancellationToken.None);

        Assert.Equal((0, 1), early);
        Assert.NotNull(_world.Sessions.Get(session));
        Assert.False(File.Exists(idleTemp));
        Assert.True(File.Exists(busyTemp));

        // A day later the expired upload is past its retention, and the other temp file has idled too.
        _world.Clock.Advance(TusService.ExpiredRetention + TimeSpan.FromSeconds(1));
        var late = await Sweep().RunAsync(CancellationToken.None);

        Assert.Equal((1, 1), late);
        Assert.Null(_world.Sessions.Get(session));
        Assert.False(File.Exists(busyTemp));
    }

    [Fact]
    public async Task FinishedUpload_LeavesTheOpenList_AnswersUntilItExpires_AndIsSweptWithoutBeingRead()
    {
        var finished = await CreateUploadAsync("done.bin");
        var open = await CreateUploadAsync("open.bin");
        var patched = await _world.PatchTusAsync(finished, 0, 100);
        Assert.Equal(TusResult.Written, patched.Result);
        var stored = patched.Session!.TargetPath;
        Assert.True(_world.OnDisk(stored));

        // Listing reads only what is still open; the finished one still answers a client that asks again.
        Assert.Equal([open], _world.Sessions.List());
        Assert.Equal([open.Value], _world.Tus.ListOpen().Select(s => s.Id));
        var head = await _world.Tus.HeadAsync(finished, CancellationToken.None);
        Assert.Equal(TusResult.Found, head.Result);
        Assert.Equal(100, head.Session!.Offset);
        Assert.True(head.Session.Completed);

        // A finished record is judged by the expiry stamped on it: unreadable content does not keep it.
        var record = Path.Combine(_world.Sessions.Directory, "finished", finished.Value + ".json");
        var stamped = File.GetLastWriteTimeUtc(record);
        Assert.Equal(head.Session.Expires.UtcDateTime, stamped);
        File.WriteAllText(record, "not json");
        File.SetLastWriteTimeUtc(record, stamped);

        _world.Clock.Advance(_world.Uploads.SessionTimeout + TusService.ExpiredRetention - TimeSpan.FromSeconds(1));
        Assert.Equal(0, _world.Tus.SweepExpired());
        Assert.True(File.Exists(record));

        _world.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _world.Tus.SweepExpired());
        Assert.False(File.Exists(record));
        Assert.Null(_world.Sessions.Get(finished));
        Assert.Empty(_world.Sessions.List());
        Assert.True(_world.OnDisk(stored));
    }

    [Fact]
    public async Task Sweep_RemovesSessionFilesWithoutASession_OnceIdle_AndKeepsTheLiveOnes()
    {
        var live = await CreateUploadAsync();
        Directory.CreateDirectory(_world.Sessions.Directory);
        // A crash between a session's data file and its sidecar; a progress record whose sidecar was removed by hand.
        var orphans = new[] { UploadId.New().Value + ".bin", UploadId.New().Value + ".live" }.Select(n => Path.Combine(_world.Sessions.Directory, n)).ToList();
        foreach (var orphan in orphans)
        {
            await File.WriteAllTextAsync(orphan, "left");
            File.SetLastWriteTimeUtc(orphan, _world.Clock.GetUtcNow().AddHours(-2).UtcDateTime);
        }

        var fresh = Path.Combine(_world.Sessions.Directory, UploadId.New().Value + ".bin");
        await File.WriteAllTextAsync(fresh, string.Empty);
        File.SetLastWriteTimeUtc(fresh, _world.Clock.GetUtcNow().AddMinutes(-1).UtcDateTime);
        File.SetLastWriteTimeUtc(_world.Sessions.DataPath(live), _world.Clock.GetUtcNow().AddHours(-2).UtcDateTime);

        var swept = await Sweep().RunAsync(CancellationToken.None);

        Assert.Equal((0, 2), swept);
        Assert.All(orphans, o => Assert.False(File.Exists(o)));
        Assert.True(File.Exists(fresh), "a session being created has its data file a moment before its sidecar");
        Assert.True(File.Exists(_world.Sessions.DataPath(live)));
        Assert.NotNull(_world.Sessions.Get(live));
    }

    [Fact]
    public async Task Sweep_TwiceAtOnce_LeavesWhatOnceLeaves()
    {
        var sessions = new List<UploadId>();
        for (var i = 0; i < 10; i++)
        {
            sessions.Add(await CreateUploadAsync($"f{i}.bin"));
        }

        _world.Clock.Advance(_world.Uploads.SessionTimeout + TusService.ExpiredRetention + TimeSpan.FromSeconds(1));
        await Task.WhenAll(Task.Run(() => Sweep().RunAsync(CancellationToken.None)), Task.Run(() => Sweep().RunAsync(CancellationToken.None)));

        Assert.Empty(_world.Sessions.List());
        Assert.Empty(Directory.GetFiles(_world.Sessions.Directory));
    }

    [Fact]
    public async Task Maintenance_DropsRecordsWhoseFileWasRemovedByHand_AndFindsTheDatabaseHealthy()
    {
        var kept = await _world.StoreAsync("a/kept.bin", "alice", [1]);
        var removed = await _world.StoreAsync("b/removed.bin", "alice", [2]);
        File.Delete(Path.Combine(_world.Server.StoragePath, removed));

        var report = await Maintenance().RunAsync(CancellationToken.None);

        Assert.True(report.DatabaseHealthy);
        Assert.Equal(1, report.RecordsDropped);
        Assert.NotNull(await _world.Metadata.GetAsync(kept, CancellationToken.None));
        Assert.Null(await _world.Metadata.GetAsync(removed, CancellationToken.None));
    }

    [Fact]
    public async Task JobsThatWorkOnStoredFiles_WhileTheStorageVolumeIsNotMounted_RefuseBeforeRemovingAnything()
    {
        var expired = await _world.StoreAsync("a/old.bin", "alice", [1], expires: _world.Clock.GetUtcNow().AddMinutes(-1));
        var files = UnmountedVolume.Files(_world.ServerMonitor);
        // What the directory holds is not this server's to judge: a temp file long idle, a blob no file links to.
        var temp = Path.Combine(_world.Server.StoragePath, FileStore.TempPrefix + "other");
        File.WriteAllBytes(temp, [1]);
        File.SetLastWriteTimeUtc(temp, (_world.Clock.GetUtcNow() - TimeSpan.FromDays(1)).UtcDateTime);
        var blob = Path.Combine(_world.Dedup.Root, "ab", "cd", new string('a', 64));
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, [1]);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => new ExpiryJob(_world.Metadata, new FileCatalog(_world.Metadata, files, NullLogger<FileCatalog>.Instance), files, _world.ServerMonitor, _world.Clock, NullLogger<ExpiryJob>.Instance).RunAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => new SweepJob(_world.Tus, files, _world.Clock, NullLogger<SweepJob>.Instance).RunAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => new DedupCollectJob(_world.Dedup, files).RunAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => new CatchUpJob(_world.Metadata, _world.Processor, files, _world.Clock, NullLogger<CatchUpJob>.Instance).RunAsync(CancellationToken.None));

        Assert.NotNull(await _world.Metadata.GetAsync(expired, CancellationToken.None));
        Assert.True(_world.OnDisk(expired));
        Assert.True(File.Exists(temp));
        Assert.True(File.Exists(blob));
    }

    [Fact]
    public async Task Maintenance_WhileTheStorageVolumeIsNotMounted_DropsNoRecord()
    {
        var kept = await _world.StoreAsync("a/kept.bin", "alice", [1]);
        var guard = new StorageVolumeGuard(_world.ServerMonitor, NullLogger<StorageVolumeGuard>.Instance);
        Assert.Null(guard.Prepare(filesRecorded: true));
        // Unmounted: the mount point is an empty directory, without the marker remembered in data_path.
        Directory.Move(_world.Server.StoragePath, _world.Server.StoragePath + ".volume");
        Directory.CreateDirectory(_world.Server.StoragePath);
        var maintenance = new MaintenanceJob(_world.Database, _world.Metadata, new FileStore(_world.ServerMonitor, guard), NullLogger<MaintenanceJob>.Instance);

        var report = await maintenance.RunAsync(CancellationToken.None);

        Assert.True(report.DatabaseHealthy);
        Assert.False(report.FilesCompared);
        Assert.Equal(0, report.RecordsDropped);
        Assert.NotNull(await _world.Metadata.GetAsync(kept, CancellationToken.None));
    }

    [Fact]
    public async Task Maintenance_GivesAFileChangedOnDiskItsRealSizeForTheQuota_AndKeepsQuarantinedRecords()
    {
        var changed = await _world.StoreAsync("q/changed.bin", "alice", new byte[100]);
        await _world.Metadata.SetProcessedAsync(changed, new global::HmacPortal.Engine.Metadata.ProcessingState(_world.Clock.GetUtcNow(), "clean", false, false), CancellationToken.None);
        await File.AppendAllTextAsync(Path.Combine(_world.Server.StoragePath, changed), new string('x', 900));
        var infected = await _world.StoreAsync("q/infected.bin", "alice", [1]);
        await _world.Metadata.SetProcessedAsync(infected, new global::HmacPortal.Engine.Metadata.ProcessingState(_world.Clock.GetUtcNow(), "infected: Test", false, false), CancellationToken.None);
        File.Delete(Path.Combine(_world.Server.StoragePath, infected));

        var report = await Maintenance().RunAsync(CancellationToken.None);

        Assert.Equal((0, 1), (report.RecordsDropped, report.RecordsCorrected));
        var record = (await _world.Metadata.GetAsync(changed, CancellationToken.None))!;
        Assert.Equal(1000, record.Size);
        Assert.Null(record.Processed);
        Assert.Equal(1001, await _world.Metadata.UsedBytesAsync("alice", CancellationToken.None));
        Assert.NotNull(await _world.Metadata.GetAsync(infected, CancellationToken.None));
        var reconciled = await new global::HmacPortal.Engine.Metadata.MetadataReconciler(_world.Files, _world.Metadata, NullLogger<global::HmacPortal.Engine.Metadata.MetadataReconciler>.Instance).RunAsync(CancellationToken.None);
        Assert.Equal(0, reconciled.RecordsDropped);
    }

    [Fact]
    public async Task Maintenance_VacuumsTheDatabaseAfterManyDeletions_AndNotOtherwise()
    {
        // Records of files removed by hand: maintenance drops them all, leaving mostly free pages.
        var padding = new string('p', 900);
        for (var i = 0; i < 6000; i++)
        {
            await _world.Metadata.RecordAsync(new global::HmacPortal.Engine.Metadata.FileRecord(
                $"v/{i}-{padding}", $"v/{i}", 1, "text/plain", null, "alice", "v", null, _world.Clock.GetUtcNow(), null), CancellationToken.None);
        }

        var first = await Maintenance().RunAsync(CancellationToken.None);

        Assert.Equal((6000, true), (first.RecordsDropped, first.Vacuumed));
        using (var lease = _world.Database.Borrow())
        using (var free = lease.Command("PRAGMA freelist_count"))
        {
            Assert.Equal(0L, free.ExecuteScalar());
        }

        Assert.False((await Maintenance().RunAsync(CancellationToken.None)).Vacuumed);
    }

    [Fact]
    public async Task Maintenance_TwiceAtOnce_LeavesWhatOnceLeaves()
    {
        for (var i = 0; i < 20; i++)
        {
            var path = await _world.StoreAsync($"m{i}/f.bin", "alice", [1]);
            if (i % 4 == 0)
            {
                File.Delete(Path.Combine(_world.Server.StoragePath, path));
            }
        }

        var reports = await Task.WhenAll(Task.Run(() => Maintenance().RunAsync(CancellationToken.None)), Task.Run(() => Maintenance().RunAsync(CancellationToken.None)));

        Assert.Equal(5, reports.Sum(r => r.RecordsDropped));
        Assert.Equal(15, (await _world.Metadata.QueryAsync(new global::HmacPortal.Engine.Metadata.FileQuery(Take: 100), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task DiskWatch_NoticesCrossingMinFreeBytesBothWays()
    {
        var logger = new ListLogger<DiskSpaceWatchdog>();
        var watchdog = new DiskSpaceWatchdog(_world.Files, _world.ServerMonitor, logger);

        Assert.False(await watchdog.RunAsync(CancellationToken.None));
        _world.Server.MinFreeBytes = new ByteSize(long.MaxValue);
        Assert.True(await watchdog.RunAsync(CancellationToken.None));
        Assert.True(await watchdog.RunAsync(CancellationToken.None));
        Assert.True(watchdog.IsLow);
        _world.Server.MinFreeBytes = new ByteSize(0);
        Assert.False(await watchdog.RunAsync(CancellationToken.None));

        Assert.Equal([7004, 7005], logger.Events.Select(e => e.Id));
        Assert.True(watchdog.LastFreeBytes > 0);
    }

    [Fact]
    public async Task DiskWatch_WhileTheStorageIsUnavailable_ForgetsItsFigure_AndSaysAgainOnceItIsBack()
    {
        var logger = new ListLogger<DiskSpaceWatchdog>();
        var guard = new StorageVolumeGuard(_world.ServerMonitor, NullLogger<StorageVolumeGuard>.Instance);
        Assert.Null(guard.Prepare(filesRecorded: false));
        var watchdog = new DiskSpaceWatchdog(new FileStore(_world.ServerMonitor, guard), _world.ServerMonitor, logger);
        _world.Server.MinFreeBytes = new ByteSize(long.MaxValue);
        Assert.True(await watchdog.RunAsync(CancellationToken.None));

        Directory.Move(_world.Server.StoragePath, _world.Server.StoragePath + ".volume");
        Directory.CreateDirectory(_world.Server.StoragePath);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => watchdog.RunAsync(CancellationToken.None));
        var during = (watchdog.IsLow, watchdog.LastFreeBytes);
        Directory.Delete(_world.Server.StoragePath);
        Directory.Move(_world.Server.StoragePath + ".volume", _world.Server.StoragePath);

        Assert.Equal((false, -1L), during);
        Assert.True(await watchdog.RunAsync(CancellationToken.None));
        Assert.Equal([7004, 7004], logger.Events.Select(e => e.Id));
    }

    [Theory]
    [InlineData("*/5 * * * *", true)]
    [InlineData("30 3 * * *", true)]
    [InlineData("every day", false)]
    [InlineData("* * * *", false)]
    [InlineData("61 * * * *", false)]
    public void Schedule_OnlyFiveFieldCronIsAccepted(string schedule, bool valid)
    {
        Assert.Equal(valid, CronSchedule.IsValid(schedule, out var error));
        Assert.Equal(valid, error.Length == 0);
        Assert.Equal(valid, !ConfigRules.Check(new JobsOptions { Sweep = schedule }).Any());
    }

    private Task<UploadId> CreateUploadAsync(string name = "a.bin") => _world.CreateTusUploadAsync(name, 100);

    private string TempFile(string name, DateTimeOffset written)
    {
        var path = Path.Combine(_world.Server.StoragePath, FileStore.TempPrefix + name);
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, written.UtcDateTime);
        return path;
    }

    public void Dispose() => _world.Dispose();
}
