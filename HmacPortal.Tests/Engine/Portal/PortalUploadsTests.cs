using System.Globalization;
using System.Text;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Portal;

public sealed class PortalUploadsTests : IDisposable
{
    private readonly PortalWorld _world = new();
    private readonly PortalAccount _alice = new("alice", "alice", Quota: 1000, MaxFileSize: 800);

    [Fact]
    public async Task Authorize_WithinLimits_GivesAGrantTheTusEndpointAccepts_EvenWithXmppJwtsOff()
    {
        Assert.False(_world.Security.EnableJwt);

        var grant = await _world.Portal.AuthorizeAsync(_alice, "holiday.jpg", 500, "image/jpeg", CancellationToken.None);

        Assert.NotNull(grant.Token);
        var (check, read) = _world.Verifier.ReadGrant(grant.Token!);
        Assert.Equal(SignatureStatus.Valid, check.Status);
        Assert.Equal("alice", read!.Subject);
        Assert.Equal("holiday.jpg", read.FileName);
        Assert.Equal(500, read.FileSize);
        Assert.Equal(1000, read.Quota);
        Assert.Equal($"{read.Slot}/holiday.jpg", grant.Path);
        Assert.Matches("^[0-9a-f]{32}$", read.Slot);
    }

    [Fact]
    public async Task Grant_ExpiresAfterItsLifetime()
    {
        var grant = await _world.Portal.AuthorizeAsync(_alice, "a.bin", 10, null, CancellationToken.None);

        _world.Clock.Advance(PortalGrantKey.Lifetime);

        Assert.Equal(SignatureStatus.TokenExpired, _world.Verifier.ReadGrant(grant.Token!).Check.Status);
    }

    [Fact]
    public async Task Grant_IsNotAnXmppJwt_AndAnXmppJwtIsNotAPortalGrant()
    {
        _world.Security.EnableJwt = true;
        _world.Security.JwtSecret = "xmpp-jwt-secret-0123456789abcdef";
        var now = _world.Clock.GetUtcNow();
        var claims = new JwtGrant("mallory", now, now.AddMinutes(1), "slot", "x.bin", 10, null, null, long.MaxValue);

        // Signed with the XMPP server's secret but claiming to be a portal grant: checked against the portal key, so refused.
        var forged = claims.Write(_world.Security.JwtSecret, "HS256", PortalGrantKey.KeyId);
        Assert.Equal(SignatureStatus.TokenInvalid, _world.Verifier.ReadGrant(forged).Check.Status);

        // Signed with the portal key but without its key id: checked as an XMPP JWT, so refused.
        var portal = claims.Write(PortalGrantKey.Derive(_world.Security.Secret), "HS256");
        Assert.Equal(SignatureStatus.TokenInvalid, _world.Verifier.ReadGrant(portal).Check.Status);
    }

    [Theory]
    [InlineData("big.bin", 801, "larger than the limit")]
    [InlineData("../x.bin", 10, "not acceptable")]
    [InlineData("a/b.bin", 10, "not acceptable")]
    public async Task Authorize_OutsideTheLimits_IsRefusedWithAReason(string name, long size, string expected)
    {
        var grant = await _world.Portal.AuthorizeAsync(_alice, name, size, null, CancellationToken.None);

        Assert.Null(grant.Token);
        Assert.Contains(expected, grant.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_WithAnExtensionNotAccepted_IsRefused()
    {
        _world.Uploads.AllowedExtensions = [".jpg", ".tar.gz"];

        Assert.Null((await _world.Portal.AuthorizeAsync(_alice, "tool.exe", 10, null, CancellationToken.None)).Token);
        Assert.NotNull((await _world.Portal.AuthorizeAsync(_alice, "backup.tar.gz", 10, null, CancellationToken.None)).Token);
    }

    [Fact]
    public async Task Limits_CountStoredFilesAndUnfinishedUploads()
    {
        await _world.StoreAsync("s/a.bin", "alice", new byte[300]);
        await _world.StoreAsync("s/b.bin", "bob", new byte[900]);
        await CreateAsync(await GrantAsync("c.bin", 200));

        var limits = await _world.Portal.LimitsAsync(_alice, CancellationToken.None);

        Assert.Equal(500, limits.Used);
        Assert.Equal(500, limits.Left);
        Assert.Equal(800, limits.MaxFileSize);
    }

    [Fact]
    public async Task Authorize_MoreThanTheQuotaLeft_IsRefused()
    {
        await _world.StoreAsync("s/a.bin", "alice", new byte[700]);

        var grant = await _world.Portal.AuthorizeAsync(_alice, "b.bin", 301, null, CancellationToken.None);

        Assert.Null(grant.Token);
        Assert.Contains("quota", grant.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TusCreate_EnforcesTheQuotaAgain_WhenGrantsWereTakenBeforeTheSpaceWasUsed()
    {
        var first = await GrantAsync("a.bin", 600);
        var second = await GrantAsync("b.bin", 600);

        Assert.Equal(TusResult.Created, (await CreateAsync(first)).Result);
        var refused = await CreateAsync(second);

        Assert.Equal(TusResult.QuotaExceeded, refused.Result);
        Assert.Contains("400", refused.Detail, StringComparison.Ordinal);
        Assert.Single(_world.Sessions.List());
    }

    [Fact]
    public async Task TusCreate_ManyAtOnce_NeverTogetherExceedTheQuota()
    {
        var grants = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            grants.Add(await GrantAsync($"f{i}.bin", 100));
        }

        var outcomes = await Task.WhenAll(grants.Select(g => Task.Run(() => CreateAsync(g))));

        Assert.Equal(10, outcomes.Count(o => o.Result == TusResult.Created));
        Assert.Equal(2, outcomes.Count(o => o.Result == TusResult.QuotaExceeded));
    }

    [Fact]
    public async Task TusCreate_AnExpiredUnfinishedUpload_NoLongerHoldsItsRoom()
    {
        Assert.Equal(TusResult.Created, (await CreateAsync(await GrantAsync("a.bin", 800))).Result);
        _world.Clock.Advance(_world.Uploads.SessionTimeout);

        Assert.Equal(TusResult.Created, (await CreateAsync(await GrantAsync("b.bin", 800))).Result);
    }

    private async Task<string> GrantAsync(string name, long size)
    {
        var grant = await _world.Portal.AuthorizeAsync(_alice, name, size, null, CancellationToken.None);
        Assert.True(grant.Token is not null, grant.Error);
        return grant.Token!;
    }

    private Task<TusOutcome> CreateAsync(string token)
    {
        var grant = _world.Verifier.ReadGrant(token).Grant!;
        return _world.Tus.CreateAsync(new TusCreateRequest(
            grant.FileSize.ToString(CultureInfo.InvariantCulture), null, $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(grant.FileName))}", token, "127.0.0.1"));
    }

    public void Dispose() => _world.Dispose();
}
