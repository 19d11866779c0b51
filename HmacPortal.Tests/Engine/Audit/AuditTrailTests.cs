using HmacPortal.Engine.Audit;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Audit;

public sealed class AuditTrailTests : IDisposable
{
    private readonly PortalWorld _world = new();
    private readonly AuditTrail _audit;

    public AuditTrailTests() => _audit = new AuditTrail(_world.Database, _world.Clock);

    [Fact]
    public void Query_IsNewestFirst_FiltersByActionFamily_AndSearchesText()
    {
        _audit.Record("signin.ok", "alice", "192.0.2.1", "portal");
        _world.Clock.Advance(TimeSpan.FromMinutes(1));
        _audit.Record("signin.failed", "portal", "192.0.2.66", "portal");
        _audit.Record("file.deleted", "admin", null, "s/report.pdf", "100 bytes");

        var all = _audit.Query(null, null, 0, 10);
        var signins = _audit.Query("signin", null, 0, 10);
        var failed = _audit.Query("signin.failed", null, 0, 10);
        var byAddress = _audit.Query(null, "192.0.2.66", 0, 10);
        var byFile = _audit.Query(null, "report", 0, 10);

        Assert.Equal(["file.deleted", "signin.failed", "signin.ok"], all.Entries.Select(e => e.Action));
        Assert.Equal(2, signins.Total);
        Assert.Equal("192.0.2.66", Assert.Single(failed.Entries).Client);
        Assert.Equal("signin.failed", Assert.Single(byAddress.Entries).Action);
        Assert.Equal("s/report.pdf", Assert.Single(byFile.Entries).Subject);
        Assert.Equal(0, _audit.Query(null, "100%_", 0, 10).Total);
    }

    [Fact]
    public void Prune_RemovesEntriesOlderThanTheRetention()
    {
        _audit.Record("signin.ok", "old", null, "portal");
        _world.Clock.Advance(AuditTrail.Retention + TimeSpan.FromDays(1));
        _audit.Record("signin.ok", "new", null, "portal");

        Assert.Equal(1, _audit.Prune());
        Assert.Equal("new", Assert.Single(_audit.Query(null, null, 0, 10).Entries).Actor);
    }

    [Fact]
    public async Task Deletions_ShareLinksAndConfigSaves_AreRecorded_WithoutSecretsOrLinkIds()
    {
        var catalog = new FileCatalog(_world.Metadata, _world.Files, NullLogger<FileCatalog>.Instance, _audit);
        var shares = new ShareService(new ShareStore(_world.Database), _world.Metadata, catalog, _world.Clock, NullLogger<ShareService>.Instance, _audit);
        var file = await _world.StoreAsync("s/a.txt", "alice", [1, 2, 3]);
        var link = (await shares.CreateAsync("alice", new ShareRequest([file], null, "hunter22", 2, false), CancellationToken.None)).Link!;
        await catalog.DeleteAsync(file, "alice", CancellationToken.None);
        using var dir = new TempDirectory();
        var path = dir.Write("config.toml", TestFiles.MinimalConfig(dir.Path));
        var editor = new ConfigEditor(path, NullLogger<ConfigEditor>.Instance, _audit);
        var loaded = editor.Load();
        editor.Save(loaded.Text.Replace("test-secret-0123456789abcdef", "a-brand-new-secret-0123456789", StringComparison.Ordinal), loaded.Version, "admin");

        var entries = _audit.Query(null, null, 0, 10).Entries;

        Assert.Equal(["config.saved", "file.deleted", "share.created"], entries.Select(e => e.Action));
        Assert.Contains("[security] secret", entries[0].Detail, StringComparison.Ordinal);
        var text = string.Join("\n", entries.Select(e => $"{e.Actor} {e.Subject} {e.Detail}"));
        Assert.DoesNotContain("brand-new-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", text, StringComparison.Ordinal);
        Assert.DoesNotContain(link.Id.Value, text, StringComparison.Ordinal);
    }

    public void Dispose() => _world.Dispose();
}
