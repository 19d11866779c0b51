using System.Security.Cryptography;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Metadata;

public sealed class MetadataReconcilerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly SqlMetadataStore _metadata;
    private readonly MetadataReconciler _reconciler;

    public MetadataReconcilerTests()
    {
        var server = new ServerOptions { StoragePath = _dir.Combine("files"), DataPath = _dir.Combine("state") };
        Directory.CreateDirectory(server.StoragePath);
        _database = new SqliteDatabase(Options.Create(server));
        _metadata = new SqlMetadataStore(_database);
        _reconciler = new MetadataReconciler(new FileStore(new TestOptionsMonitor<ServerOptions>(server)), _metadata, NullLogger<MetadataReconciler>.Instance);
    }

    private FileRecord Record(string path) =>
        new(path, path, 5, "text/plain", null, null, "v", null, _clock.GetUtcNow(), null);

    [Fact]
    public async Task Run_FileWrittenButNotRecorded_IsRecordedWithItsHashAndType()
    {
        // A crash after the rename and before the record.
        _dir.Write("files/u1/photo.jpg", "bytes");

        var report = await _reconciler.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.FilesRecovered);
        var record = await _metadata.GetAsync("u1/photo.jpg", CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal("image/jpeg", record.ContentType);
        Assert.Equal(5, record.Size);
        Assert.Equal("recovered", record.Protocol);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("bytes"u8)), record.Sha256);
    }

    [Fact]
    public async Task Run_RecordWithoutFile_IsDropped()
    {
        await _metadata.RecordAsync(Record("u1/gone.txt"), CancellationToken.None);

        var report = await _reconciler.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.RecordsDropped);
        Assert.Null(await _metadata.GetAsync("u1/gone.txt", CancellationToken.None));
    }

    [Fact]
    public async Task Run_TempFiles_AreRemovedAndNeverRecorded()
    {
        _dir.Write("files/u1/" + FileStore.TempPrefix + "123", "half");

        var report = await _reconciler.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.TempFilesRemoved);
        Assert.Equal(0, report.FilesRecovered);
        Assert.Empty(Directory.GetFiles(_dir.Combine("files", "u1")));
    }

    [Fact]
    public async Task Run_Twice_SecondRunChangesNothing()
    {
        _dir.Write("files/u1/a.txt", "x");
        await _metadata.RecordAsync(Record("u1/b.txt"), CancellationToken.None);

        await _reconciler.RunAsync(CancellationToken.None);
        var second = await _reconciler.RunAsync(CancellationToken.None);

        Assert.Equal(new ReconcileReport(0, 0, 0), second);
    }

    [Fact]
    public async Task Run_ConsistentStore_IsLeftAlone()
    {
        _dir.Write("files/u1/a.txt", "hello");
        await _metadata.RecordAsync(Record("u1/a.txt") with { Sha256 = "kept" }, CancellationToken.None);

        var report = await _reconciler.RunAsync(CancellationToken.None);

        Assert.Equal(new ReconcileReport(0, 0, 0), report);
        Assert.Equal("kept", (await _metadata.GetAsync("u1/a.txt", CancellationToken.None))!.Sha256);
    }

    public void Dispose()
    {
        _database.Dispose();
        _dir.Dispose();
    }
}
