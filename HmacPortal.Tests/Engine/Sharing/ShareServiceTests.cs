using HmacPortal.Engine.Sharing;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Sharing;

public sealed class ShareServiceTests : IDisposable
{
    private readonly PortalWorld _world = new();

    [Fact]
    public async Task Create_ForOwnFiles_OpensActiveWithEveryFile()
    {
        var a = await _world.StoreAsync("s1/a.txt", "alice", "aaa"u8.ToArray());
        var b = await _world.StoreAsync("s2/b.txt", "alice", "bbbb"u8.ToArray());

        var created = await _world.Shares.CreateAsync("alice", new ShareRequest([a, b], TimeSpan.FromDays(1), null, null, false), CancellationToken.None);
        var view = await _world.Shares.OpenAsync(created.Link!.Id, CancellationToken.None);

        Assert.Equal(ShareState.Active, view!.State);
        Assert.Equal([a, b], view.Files.Select(f => f.Path));
        Assert.All(view.Files, f => Assert.NotNull(f.File));
        Assert.Equal(_world.Clock.GetUtcNow() + TimeSpan.FromDays(1), view.Link.Expires);
        Assert.True(view.AllowsPreview);
    }

    [Fact]
    public async Task Create_WithSomeoneElsesFile_IsRefused()
    {
        var theirs = await _world.StoreAsync("s1/b.txt", "bob", "b"u8.ToArray());

        var created = await _world.Shares.CreateAsync("alice", new ShareRequest([theirs], null, null, null, false), CancellationToken.None);

        Assert.False(created.Succeeded);
        Assert.Contains("not one of your files", created.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "at least 1")]
    [InlineData(-3, "at least 1")]
    public async Task Create_WithBadDownloadLimit_IsRefused(int limit, string expected)
    {
        var file = await _world.StoreAsync("s1/a.txt", "alice", "a"u8.ToArray());

        var created = await _world.Shares.CreateAsync("alice", new ShareRequest([file], null, null, limit, false), CancellationToken.None);

        Assert.Contains(expected, created.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ValidForMoreThanAYear_IsRefused()
    {
        var file = await _world.StoreAsync("s1/a.txt", "alice", "a"u8.ToArray());

        var created = await _world.Shares.CreateAsync("alice", new ShareRequest([file], TimeSpan.FromDays(400), null, null, false), CancellationToken.None);

        Assert.False(created.Succeeded);
    }

    [Fact]
    public async Task Open_AfterExpiry_IsExpired_AndNoDownloadStarts()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], TimeSpan.FromHours(1), null, null, false));

        _world.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ShareState.Expired, (await _world.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
        Assert.False(_world.Shares.TryStartDownload(link.Id));
    }

    [Fact]
    public async Task Download_LimitOfOne_SecondIsRefused_AndTheStateIsExhausted()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, null, 1, false));

        Assert.True(_world.Shares.TryStartDownload(link.Id));
        Assert.False(_world.Shares.TryStartDownload(link.Id));
        await _world.Shares.EndDownloadAsync(link.Id, finished: true);

        Assert.False(_world.Shares.TryStartDownload(link.Id));
        var view = await _world.Shares.OpenAsync(link.Id, CancellationToken.None);
        Assert.Equal(ShareState.Exhausted, view!.State);
        Assert.Equal(1, view.Link.Downloads);
        Assert.False(view.AllowsPreview);
    }

    [Fact]
    public async Task Download_ThatBreaksOff_IsGivenBack()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, null, 1, false));

        Assert.True(_world.Shares.TryStartDownload(link.Id));
        await _world.Shares.EndDownloadAsync(link.Id, finished: false);

        Assert.True(_world.Shares.TryStartDownload(link.Id));
        Assert.Equal(ShareState.Active, (await _world.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Download_ManyRacingForTheLastOne_ExactlyOneWins()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, null, 3, false));
        Assert.True(_world.Shares.TryStartDownload(link.Id));
        await _world.Shares.EndDownloadAsync(link.Id, finished: true);
        Assert.True(_world.Shares.TryStartDownload(link.Id));
        await _world.Shares.EndDownloadAsync(link.Id, finished: true);

        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return _world.Shares.TryStartDownload(link.Id);
        })).ToArray();
        start.Set();
        var won = await Task.WhenAll(racers);

        Assert.Single(won, w => w);
    }

    [Fact]
    public async Task DeleteAfterDownload_RemovesFilesAndRecords_WhenTheDownloadFinishes()
    {
        var a = await _world.StoreAsync("s1/a", "alice", "a"u8.ToArray());
        var b = await _world.StoreAsync("s2/b", "alice", "b"u8.ToArray());
        var link = await ShareAsync(new ShareRequest([a, b], null, null, null, DeleteAfterDownload: true));
        Assert.Equal(1, link.MaxDownloads);

        Assert.True(_world.Shares.TryStartDownload(link.Id));
        Assert.True(_world.OnDisk(a));
        await _world.Shares.EndDownloadAsync(link.Id, finished: true);

        Assert.False(_world.OnDisk(a));
        Assert.False(_world.OnDisk(b));
        Assert.Null(await _world.Metadata.GetAsync(a, CancellationToken.None));
        var view = await _world.Shares.OpenAsync(link.Id, CancellationToken.None);
        Assert.Equal(ShareState.Exhausted, view!.State);
        Assert.All(view.Files, f => Assert.Null(f.File));
    }

    [Fact]
    public async Task DeleteAfterDownload_BrokenDownload_KeepsTheFiles()
    {
        var a = await _world.StoreAsync("s1/a", "alice", "a"u8.ToArray());
        var link = await ShareAsync(new ShareRequest([a], null, null, null, DeleteAfterDownload: true));

        Assert.True(_world.Shares.TryStartDownload(link.Id));
        await _world.Shares.EndDownloadAsync(link.Id, finished: false);

        Assert.True(_world.OnDisk(a));
    }

    [Fact]
    public async Task Password_OnlyTheRightOneOpens()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, "correct horse", null, false));

        Assert.True(link.HasPassword);
        Assert.DoesNotContain("correct horse", link.PasswordHash, StringComparison.Ordinal);
        Assert.True(_world.Shares.CheckPassword(link, "correct horse", "127.0.0.1"));
        Assert.False(_world.Shares.CheckPassword(link, "wrong", "127.0.0.1"));
        Assert.False(_world.Shares.CheckPassword(link, null, "127.0.0.1"));
    }

    [Fact]
    public async Task Revoke_ByOwner_Revokes_ByAnyoneElse_DoesNothing()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, null, null, false));

        Assert.False(_world.Shares.Revoke("bob", link.Id));
        Assert.Equal(ShareState.Active, (await _world.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
        Assert.True(_world.Shares.Revoke("alice", link.Id));
        Assert.Equal(ShareState.Revoked, (await _world.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
        Assert.False(_world.Shares.TryStartDownload(link.Id));
    }

    [Fact]
    public async Task Extend_AnExpiredLink_MakesItWorkAgain()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], TimeSpan.FromHours(1), null, null, false));
        _world.Clock.Advance(TimeSpan.FromHours(2));

        var extended = _world.Shares.Extend("alice", link.Id, TimeSpan.FromDays(7));

        Assert.True(extended.Succeeded);
        Assert.Equal(ShareState.Active, (await _world.Shares.OpenAsync(link.Id, CancellationToken.None))!.State);
        Assert.False(_world.Shares.Extend("bob", link.Id, null).Succeeded);
    }

    [Fact]
    public async Task Restart_VoidsClaimsOfDownloadsThatWereRunning()
    {
        var link = await ShareAsync(new ShareRequest([await _world.StoreAsync("s/a", "alice", "a"u8.ToArray())], null, null, 1, false));
        Assert.True(_world.Shares.TryStartDownload(link.Id));

        _ = new ShareStore(_world.Database);

        Assert.True(_world.Shares.TryStartDownload(link.Id));
    }

    [Fact]
    public void ShareId_AcceptsOnlyItsOwnForm()
    {
        Assert.True(ShareId.TryParse(ShareId.New().Value, out _));
        Assert.False(ShareId.TryParse("../../etc/passwd", out _));
        Assert.False(ShareId.TryParse("short", out _));
        Assert.False(ShareId.TryParse(new string('a', 21) + "/", out _));
        Assert.False(ShareId.TryParse(null, out _));
    }

    private async Task<ShareLink> ShareAsync(ShareRequest request)
    {
        var created = await _world.Shares.CreateAsync("alice", request, CancellationToken.None);
        Assert.True(created.Succeeded, created.Error);
        return created.Link!;
    }

    public void Dispose() => _world.Dispose();
}
