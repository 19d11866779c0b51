using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Engine.Metadata;

public sealed class FileCatalogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly SqliteDatabase _database;
    private readonly SqlMetadataStore _metadata;
    private readonly FileCatalog _catalog;

    public FileCatalogTests()
    {
        var server = new ServerOptions { StoragePath = _dir.Combine("files"), DataPath = _dir.Combine("state") };
        _database = new SqliteDatabase(Options.Create(server));
        _metadata = new SqlMetadataStore(_database);
        _catalog = new FileCatalog(_metadata, new FileStore(new TestOptionsMonitor<ServerOptions>(server)), NullLogger<FileCatalog>.Instance);
    }

    private async Task AddAsync(string path, long size, int minutes, string? owner = null)
    {
        _dir.Write("files/" + path, new string('x', (int)size));
        await _metadata.RecordAsync(new FileRecord(path, path, size, "text/plain", null, owner, "v", null, T0.AddMinutes(minutes), null), CancellationToken.None);
    }

    [Fact]
    public async Task Query_SearchesSortsAndPages()
    {
        await AddAsync("a/holiday.txt", 30, 1, "romeo@example.org");
        await AddAsync("b/notes.txt", 10, 2);
        await AddAsync("c/report_100%.txt", 20, 3);

        Assert.Equal(["c/report_100%.txt", "b/notes.txt", "a/holiday.txt"], (await _catalog.QueryAsync(new FileQuery(), CancellationToken.None)).Items.Select(r => r.Path));
        Assert.Equal(["a/holiday.txt", "c/report_100%.txt", "b/notes.txt"], (await _catalog.QueryAsync(new FileQuery(Sort: FileSort.Largest), CancellationToken.None)).Items.Select(r => r.Path));

        var byOwner = await _catalog.QueryAsync(new FileQuery("romeo"), CancellationToken.None);
        Assert.Equal(["a/holiday.txt"], byOwner.Items.Select(r => r.Path));

        // % and _ are matched literally, not as wildcards.
        Assert.Equal(["c/report_100%.txt"], (await _catalog.QueryAsync(new FileQuery("_100%"), CancellationToken.None)).Items.Select(r => r.Path));
        Assert.Empty((await _catalog.QueryAsync(new FileQuery("o_e"), CancellationToken.None)).Items);

        var page = await _catalog.QueryAsync(new FileQuery(Sort: FileSort.Name, Skip: 1, Take: 1), CancellationToken.None);
        Assert.Equal(3, page.Total);
        Assert.Equal(["b/notes.txt"], page.Items.Select(r => r.Path));
    }

    [Fact]
    public async Task Delete_RemovesFileAndRecord()
    {
        await AddAsync("a/gone.txt", 5, 1);

        Assert.True(await _catalog.DeleteAsync("a/gone.txt", "admin", CancellationToken.None));

        Assert.False(File.Exists(_dir.Combine("files", "a", "gone.txt")));
        Assert.Null(await _metadata.GetAsync("a/gone.txt", CancellationToken.None));
        Assert.False(await _catalog.DeleteAsync("a/gone.txt", "admin", CancellationToken.None));
    }

    [Fact]
    public async Task Query_FiltersByTypeAndSize()
    {
        await _metadata.RecordAsync(new FileRecord("a/cat.jpg", "a/cat.jpg", 5000, "image/jpeg", null, null, "v", null, T0, null), CancellationToken.None);
        await _metadata.RecordAsync(new FileRecord("b/song.ogg", "b/song.ogg", 9000, "audio/ogg", null, null, "v", null, T0, null), CancellationToken.None);
        await _metadata.RecordAsync(new FileRecord("c/tiny.png", "c/tiny.png", 10, "image/png", null, null, "v", null, T0, null), CancellationToken.None);

        var images = await _catalog.QueryAsync(new FileQuery(TypePrefix: "image/"), CancellationToken.None);
        var largeImages = await _catalog.QueryAsync(new FileQuery(TypePrefix: "image/", MinSize: 1000), CancellationToken.None);
        var large = await _catalog.QueryAsync(new FileQuery(MinSize: 1000, Sort: FileSort.Largest), CancellationToken.None);

        Assert.Equal(["a/cat.jpg", "c/tiny.png"], images.Items.Select(i => i.Path).Order(StringComparer.Ordinal));
        Assert.Equal("a/cat.jpg", Assert.Single(largeImages.Items).Path);
        Assert.Equal(["b/song.ogg", "a/cat.jpg"], large.Items.Select(i => i.Path));
    }

    [Fact]
    public async Task Query_FiltersByUploadTime()
    {
        await AddAsync("old.txt", 1, 0);
        await AddAsync("new.txt", 1, 60 * 24 * 10);

        var recent = await _catalog.QueryAsync(new FileQuery(UploadedAfter: T0.AddDays(5)), CancellationToken.None);

        Assert.Equal("new.txt", Assert.Single(recent.Items).Path);
    }

    [Fact]
    public async Task SetExpiry_SetsAndClears_AndTheExpiryJobFollowsIt()
    {
        await AddAsync("a/x.txt", 10, 0);

        Assert.True(await _catalog.SetExpiryAsync("a/x.txt", T0.AddDays(1), "admin", CancellationToken.None));
        Assert.Equal(T0.AddDays(1), (await _metadata.GetAsync("a/x.txt", CancellationToken.None))!.Expires);
        Assert.Equal(["a/x.txt"], await _metadata.ListExpiredAsync(T0.AddDays(2), null, 10, CancellationToken.None));

        Assert.True(await _catalog.SetExpiryAsync("a/x.txt", null, "admin", CancellationToken.None));
        Assert.Empty(await _metadata.ListExpiredAsync(T0.AddDays(2), null, 10, CancellationToken.None));
        Assert.False(await _catalog.SetExpiryAsync("a/missing.txt", null, "admin", CancellationToken.None));
    }

    public void Dispose()
    {
        _database.Dispose();
        _dir.Dispose();
    }
}
