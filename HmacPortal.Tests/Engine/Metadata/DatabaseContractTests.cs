using HmacPortal.Engine.Audit;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Quotas;
using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Metadata;

/// <summary>
/// What every store promises, run against each database engine: the same calls, the same answers.
/// Every SQL statement the stores send is reached here.
/// </summary>
public abstract class DatabaseContractTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly Lazy<Database> _database;

    protected DatabaseContractTests() => _database = new Lazy<Database>(CreateDatabase);

    protected FakeTimeProvider Clock { get; } = new(T0);

    protected Database Db => _database.Value;

    protected abstract Database CreateDatabase();

    public virtual void Dispose()
    {
        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private static FileRecord File(string path, long size, string? owner = "alice", string type = "image/png", DateTimeOffset? created = null, DateTimeOffset? expires = null) =>
        new(path, path, size, type, new string('a', 64), owner, "v2", "198.51.100.7", created ?? T0, expires);

    [Fact]
    public async Task Files_AreRecordedReplacedAndDeleted_WithEveryField()
    {
        var store = new SqlMetadataStore(Db);
        var record = File("a/photo.png", 100, expires: T0.AddDays(1)) with { Downloads = 2, LastDownload = T0.AddHours(1), Processed = T0 };
        await store.RecordAsync(record, CancellationToken.None);
        await store.SetProcessedAsync("a/photo.png", new ProcessingState(T0.AddMinutes(1), "clean", true, true), CancellationToken.None);

        Assert.Equal(record with { Processed = T0.AddMinutes(1), Scan = "clean", Deduplicated = true, HasThumbnail = true }, await store.GetAsync("a/photo.png", CancellationToken.None));

        await store.RecordAsync(File("a/photo.png", 200, owner: null), CancellationToken.None);
        var replaced = await store.GetAsync("a/photo.png", CancellationToken.None);
        Assert.Equal(200, replaced!.Size);
        Assert.Null(replaced.Owner);
        Assert.Null(replaced.Scan);
        Assert.False(replaced.Deduplicated);

        Assert.True(await store.DeleteAsync("a/photo.png", CancellationToken.None));
        Assert.False(await store.DeleteAsync("a/photo.png", CancellationToken.None));
        Assert.Null(await store.GetAsync("a/photo.png", CancellationToken.None));
    }

    [Fact]
    public async Task Files_AreQueriedFilteredSortedAndPaged_ByTheDatabase()
    {
        var store = new SqlMetadataStore(Db);
        await store.RecordAsync(File("x/Holiday_1.png", 10, "alice", "image/png", T0), CancellationToken.None);
        await store.RecordAsync(File("x/holidayX1.png", 20, "bob", "image/png", T0.AddMinutes(1)), CancellationToken.None);
        await store.RecordAsync(File("y/report.pdf", 30, "Carol@Example.org", "application/pdf", T0.AddMinutes(2)), CancellationToken.None);
        await store.RecordAsync(File("y/clip.mp4", 40, "bob", "video/mp4", T0.AddMinutes(3)), CancellationToken.None);

        // '_' is a literal, not a wildcard; case does not matter.
        Assert.Equal(["x/Holiday_1.png"], (await store.QueryAsync(new FileQuery("HOLIDAY_"), CancellationToken.None)).Items.Select(f => f.Path));
        Assert.Equal(["y/report.pdf"], (await store.QueryAsync(new FileQuery("carol@"), CancellationToken.None)).Items.Select(f => f.Path));
        Assert.Equal(["y/clip.mp4", "x/holidayX1.png"], (await store.QueryAsync(new FileQuery(Owner: "bob"), CancellationToken.None)).Items.Select(f => f.Path));
        Assert.Equal(2, (await store.QueryAsync(new FileQuery(TypePrefix: "image/"), CancellationToken.None)).Total);
        Assert.Equal(2, (await store.QueryAsync(new FileQuery(MinSize: 30), CancellationToken.None)).Total);
        Assert.Equal(2, (await store.QueryAsync(new FileQuery(UploadedAfter: T0.AddMinutes(1)), CancellationToken.None)).Total);
        Assert.Equal(["y/clip.mp4", "y/report.pdf"], (await store.QueryAsync(new FileQuery(Sort: FileSort.Largest, Take: 2), CancellationToken.None)).Items.Select(f => f.Path));

        var page = await store.QueryAsync(new FileQuery(Sort: FileSort.Name, Skip: 1, Take: 2), CancellationToken.None);
        Assert.Equal(4, page.Total);
        Assert.Equal(["x/holidayX1.png", "y/clip.mp4"], page.Items.Select(f => f.Path));
    }

    [Fact]
    public async Task TotalSize_FollowsRecordsAsTheyAreAddedReplacedAndDeleted()
    {
        var store = new SqlMetadataStore(Db);
        Assert.Equal(0, await store.TotalSizeAsync(CancellationToken.None));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.RecordAsync(File($"t/{i}", 1000 + i), CancellationToken.None)));
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => 1000L + i), await store.TotalSizeAsync(CancellationToken.None));

        await store.RecordAsync(File("t/0", 5), CancellationToken.None);
        await store.DeleteAsync("t/1", CancellationToken.None);
        await store.DeleteManyAsync(["t/2", "t/3", "missing"], CancellationToken.None);
        Assert.False(await store.DeleteAsync("t/1", CancellationToken.None));

        Assert.Equal(Enumerable.Range(4, 16).Sum(i => 1000L + i) + 5, await store.TotalSizeAsync(CancellationToken.None));
        await store.DeleteManyAsync([.. Enumerable.Range(0, 20).Select(i => $"t/{i}")], CancellationToken.None);
        Assert.Equal(0, await store.TotalSizeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Files_SumsExpiryProcessingDownloadsAndPaths()
    {
        var store = new SqlMetadataStore(Db);
        await store.RecordAsync(File("a/1", 100, "alice", created: T0.AddDays(-10)), CancellationToken.None);
        await store.RecordAsync(File("a/2", 50, "alice", expires: T0.AddMinutes(-1)), CancellationToken.None);
        await store.RecordAsync(File("b/3", 7, "bob", created: T0.AddDays(-1)) with { Processed = T0 }, CancellationToken.None);

        Assert.Equal(157, await store.TotalSizeAsync(CancellationToken.None));
        Assert.Equal(150, await store.UsedBytesAsync("alice", CancellationToken.None));
        Assert.Equal(0, await store.UsedBytesAsync("nobody", CancellationToken.None));

        Assert.Equal(["a/2"], await store.ListExpiredAsync(T0, null, 10, CancellationToken.None));
        Assert.Equal(["a/1", "a/2"], await store.ListExpiredAsync(T0, T0.AddDays(-5), 10, CancellationToken.None));
        Assert.True(await store.SetExpiryAsync("a/2", null, CancellationToken.None));
        Assert.False(await store.SetExpiryAsync("missing", null, CancellationToken.None));
        Assert.Empty(await store.ListExpiredAsync(T0, null, 10, CancellationToken.None));

        Assert.Equal(["a/1", "a/2"], await store.ListUnprocessedAsync(T0.AddSeconds(1), null, 10, CancellationToken.None));
        Assert.Equal(["a/2"], await store.ListUnprocessedAsync(T0.AddSeconds(1), "a/1", 10, CancellationToken.None));
        Assert.True(await store.SetProcessedAsync("a/1", new ProcessingState(T0, "infected: Eicar", false, false), CancellationToken.None));
        Assert.False(await store.SetProcessedAsync("missing", new ProcessingState(T0, null, false, false), CancellationToken.None));

        await store.CountDownloadsAsync([new DownloadTally("b/3", 2, T0.AddHours(2)), new DownloadTally("a/2", 1, T0)], CancellationToken.None);
        await store.CountDownloadsAsync([new DownloadTally("b/3", 1, T0.AddHours(1))], CancellationToken.None);
        var counted = await store.GetAsync("b/3", CancellationToken.None);
        Assert.Equal(3, counted!.Downloads);
        Assert.Equal(T0.AddHours(2), counted.LastDownload);

        var paths = new List<(string Path, string StoredPath, long Size, bool Quarantined)>();
        await foreach (var entry in store.ListPathsAsync(CancellationToken.None))
        {
            paths.Add(entry);
        }

        Assert.Equal([("a/1", "a/1", 100L, true), ("a/2", "a/2", 50L, false), ("b/3", "b/3", 7L, false)], paths.OrderBy(p => p.Path, StringComparer.Ordinal));
    }

    [Fact]
    public void Shares_AreCreatedClaimedWithinTheirLimit_RevokedAndDeleted()
    {
        var shares = new ShareStore(Db);
        var id = ShareId.New();
        shares.Create(new ShareLink(id, "alice", T0, T0.AddDays(1), "hash", 1, 0, true, false, ["b/2.png", "a/1.png"]));
        shares.Create(new ShareLink(ShareId.New(), "alice", T0.AddMinutes(1), null, null, null, 0, false, false, ["c.txt"]));

        var link = shares.Get(id)!;
        Assert.Equal(["b/2.png", "a/1.png"], link.Files);
        Assert.Equal((1, "hash", true), (link.MaxDownloads, link.PasswordHash, link.DeleteAfterDownload));
        Assert.Equal(2, shares.ListByOwner("alice").Count);
        Assert.Single(shares.ListAll(1));

        Assert.True(shares.TryClaim(id, T0));
        Assert.False(shares.TryClaim(id, T0));
        shares.EndClaim(id, finished: false);
        Assert.True(shares.TryClaim(id, T0));
        shares.EndClaim(id, finished: true);
        Assert.Equal(1, shares.Get(id)!.Downloads);
        Assert.False(shares.TryClaim(id, T0));

        Assert.True(shares.SetExpiry(id, T0.AddDays(3)));
        Assert.Equal(T0.AddDays(3), shares.Get(id)!.Expires);
        Assert.True(shares.Revoke(id));
        Assert.True(shares.Get(id)!.Revoked);
        Assert.True(shares.Delete(id));
        Assert.Null(shares.Get(id));
    }

    [Fact]
    public void Invites_AreFoundByTokenAndRevokedOnce()
    {
        var invites = new InviteService(Db, Clock, NullLogger<InviteService>.Instance);
        var (invite, token, error) = invites.Create("for Dave", 1 << 20, 1 << 10, TimeSpan.FromDays(7));
        Assert.Empty(error);

        Assert.Equal(invite, invites.Find(token));
        Assert.Equal(invite, invites.Get(invite!.Id));
        Assert.Single(invites.List());
        Assert.True(invites.Revoke(invite.Id));
        Assert.False(invites.Revoke(invite.Id));
        Assert.True(invites.Get(invite.Id)!.Revoked);
    }

    [Fact]
    public async Task QuotaOverrides_MatchOwnersWhateverTheirCase_AndUsageMergesThem()
    {
        var policy = new QuotaPolicy(new TestOptionsMonitor<QuotasOptions>(new QuotasOptions { Enabled = true }), Db);
        var store = new SqlMetadataStore(Db);
        await store.RecordAsync(File("a/1", 100, "Alice@Example.org"), CancellationToken.None);
        await store.RecordAsync(File("a/2", 20, "bob"), CancellationToken.None);

        policy.SetOverride("alice@example.org", 5000, "test");
        policy.SetOverride("ALICE@EXAMPLE.ORG", 7000, "test");
        policy.SetOverride("carol", 9000, "test");

        Assert.Equal(new QuotaLimit(7000, QuotaSource.Admin), policy.LimitFor("Alice@example.org"));
        var usage = policy.Usage(10);
        Assert.Equal(3, usage.Count);
        Assert.Equal((1L, 100L), usage.Where(u => u.Owner.Equals("alice@example.org", StringComparison.OrdinalIgnoreCase)).Select(u => (u.Files, u.Bytes)).Single());
        Assert.Equal("bob", usage[1].Owner);

        Assert.True(policy.RemoveOverride("Alice@Example.org", "test"));
        Assert.Equal(QuotaSource.Default, policy.LimitFor("alice@example.org").Source);
    }

    [Fact]
    public void Audit_IsFilteredSearchedAndPruned()
    {
        var audit = new AuditTrail(Db, Clock);
        audit.Record("signin.failed", "admin", "198.51.100.7", "console", "wrong password");
        Clock.Advance(TimeSpan.FromDays(400));
        audit.Record("signin", "Admin", "198.51.100.7", "console");
        audit.Record("share.created", "alice", null, "share 1", "100%_done");

        Assert.Equal(2, audit.Query("signin", null, 0, 10).Total);
        Assert.Equal(["share.created"], audit.Query(null, "100%_", 0, 10).Entries.Select(e => e.Action));
        Assert.Equal(2, audit.Query(null, "ADMIN", 0, 10).Total);
        Assert.Equal("share.created", audit.Query(null, null, 0, 1).Entries.Single().Action);
        Assert.Equal(1, audit.Prune());
        Assert.Equal(2, audit.Query(null, null, 0, 10).Total);
    }

    [Fact]
    public async Task Maintenance_ChecksAndOptimisesTheDatabase()
    {
        await new SqlMetadataStore(Db).RecordAsync(File("a/1", 1), CancellationToken.None);

        Assert.Equal("ok", Db.CheckIntegrity());
        Assert.False(Db.Optimize());
    }

    /// <summary>A filled SQLite database in <paramref name="dataPath"/>, for copying into another engine.</summary>
    internal static async Task<SqliteDatabase> FilledSqliteAsync(string dataPath)
    {
        var sqlite = new SqliteDatabase(Options.Create(new ServerOptions { DataPath = dataPath }));
        var store = new SqlMetadataStore(sqlite);
        await store.RecordAsync(File("a/1.png", 10) with { Processed = T0 }, CancellationToken.None);
        await store.RecordAsync(File("a/2.txt", 20, owner: null, type: "text/plain", expires: T0.AddDays(2)), CancellationToken.None);
        await store.SetProcessedAsync("a/1.png", new ProcessingState(T0, "clean", true, false), CancellationToken.None);
        new ShareStore(sqlite).Create(new ShareLink(ShareId.New(), "alice", T0, null, null, 3, 0, false, false, ["a/1.png", "a/2.txt"]));
        new InviteService(sqlite, TimeProvider.System, NullLogger<InviteService>.Instance).Create("guest", 100, 10, TimeSpan.FromDays(1));
        new QuotaPolicy(new TestOptionsMonitor<QuotasOptions>(new QuotasOptions()), sqlite).SetOverride("Alice", 123, "test");
        var audit = new AuditTrail(sqlite, TimeProvider.System);
        audit.Record("first", "admin", null, "x");
        audit.Record("second", "admin", "::1", "y", "z");
        return sqlite;
    }

    [Fact]
    public async Task Copy_FromSqlite_KeepsEveryRecord_AndRefusesATargetThatIsNotEmpty()
    {
        using var dir = new TempDirectory();
        using var sqlite = await FilledSqliteAsync(dir.Path);

        var copied = DatabaseCopier.Copy(sqlite, Db);

        Assert.Equal([("files", 2L), ("shares", 1L), ("share_files", 2L), ("invites", 1L), ("quota_overrides", 1L), ("audit", 2L)], copied);
        var (from, to) = (new SqlMetadataStore(sqlite), new SqlMetadataStore(Db));
        foreach (var path in new[] { "a/1.png", "a/2.txt" })
        {
            Assert.Equal(await from.GetAsync(path, CancellationToken.None), await to.GetAsync(path, CancellationToken.None));
        }

        // The copy's total is kept by the target's own triggers as its records arrive.
        Assert.Equal(await from.TotalSizeAsync(CancellationToken.None), await to.TotalSizeAsync(CancellationToken.None));
        Assert.True(await to.TotalSizeAsync(CancellationToken.None) > 0);

        static IEnumerable<string> Shares(Database database) =>
            new ShareStore(database).ListAll(10).Select(s => $"{s with { Files = [] }} {string.Join(',', s.Files)}");
        Assert.Equal(Shares(sqlite), Shares(Db));
        Assert.Equal(new InviteService(sqlite, Clock, NullLogger<InviteService>.Instance).List(), new InviteService(Db, Clock, NullLogger<InviteService>.Instance).List());
        Assert.Equal(123, new QuotaPolicy(new TestOptionsMonitor<QuotasOptions>(new QuotasOptions()), Db).LimitFor("alice").Bytes);
        Assert.Equal(
            new AuditTrail(sqlite, Clock).Query(null, null, 0, 10).Entries,
            new AuditTrail(Db, Clock).Query(null, null, 0, 10).Entries);

        var again = Assert.Throws<InvalidOperationException>(() => DatabaseCopier.Copy(sqlite, Db));
        Assert.Contains("already has rows in 'files'", again.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteDatabaseContractTests : DatabaseContractTests
{
    private readonly TempDirectory _dir = new();

    protected override Database CreateDatabase() => new SqliteDatabase(Options.Create(new ServerOptions { DataPath = _dir.Path }));

    public override void Dispose()
    {
        base.Dispose();
        _dir.Dispose();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseContractTests(PostgresServer server) : DatabaseContractTests
{
    protected override Database CreateDatabase() => new PostgresDatabase(server.NewDatabase());

    [Fact]
    public async Task Upgrade_FromVersion1_StartsTheTotalStoredFromTheRecords_AndIndexesOwnersWithSizes()
    {
        var connection = server.NewDatabase();
        using (var first = new PostgresDatabase(connection))
        {
            // Back to version 1 with two files recorded, as a database of the first release is.
            using var lease = first.Borrow();
            using var downgrade = lease.Command("""
                DROP TRIGGER file_totals_follow ON files; DROP FUNCTION file_totals_follow(); DROP TABLE file_totals;
                DROP INDEX files_owner_size; CREATE INDEX files_owner ON files(owner);
                DELETE FROM schema_version WHERE version > 1;
                INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('a/1', 'a/1', 100, 'text/plain', 'v', 0), ('a/2', 'a/2', 23, 'text/plain', 'v', 0);
                """);
            downgrade.ExecuteNonQuery();
        }

        using var upgraded = new PostgresDatabase(connection);
        var store = new SqlMetadataStore(upgraded);

        Assert.Equal(PostgresDatabase.SchemaVersion, upgraded.Version());
        Assert.Equal(123, await store.TotalSizeAsync(CancellationToken.None));
        using (var lease = upgraded.Borrow())
        using (var indexes = lease.Command("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'files' AND indexname LIKE 'files_owner%'"))
        {
            Assert.Equal("files_owner_size", indexes.ExecuteScalar());
        }

        await store.DeleteAsync("a/1", CancellationToken.None);
        Assert.Equal(23, await store.TotalSizeAsync(CancellationToken.None));
    }

    [Fact]
    public void Schema_IsCreatedOnce_EvenWhenNodesStartTogether()
    {
        var connection = server.NewDatabase();

        var databases = Enumerable.Range(0, 4).AsParallel().Select(_ => new PostgresDatabase(connection)).ToList();

        Assert.All(databases, d => Assert.Equal(PostgresDatabase.SchemaVersion, d.Version()));
        databases.ForEach(d => d.Dispose());
    }
}
