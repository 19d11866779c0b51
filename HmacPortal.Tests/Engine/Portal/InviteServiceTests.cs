using HmacPortal.Engine.Portal;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Portal;

public sealed class InviteServiceTests : IDisposable
{
    private readonly PortalWorld _world = new();

    [Fact]
    public void Create_ThenFind_ByItsToken_GivesAnAccountOfItsOwn()
    {
        var (invite, token, error) = _world.Invites.Create("Conference guests", 5L << 30, 1L << 30, TimeSpan.FromDays(7));

        Assert.Empty(error);
        var found = _world.Invites.Find(token);
        Assert.Equal(invite, found);
        Assert.True(_world.Invites.IsUsable(found!));
        Assert.Equal($"invite:{invite!.Id}", found!.Account.Owner);
        Assert.Equal(5L << 30, found.Account.Quota);
        Assert.Equal(1L << 30, found.Account.MaxFileSize);
    }

    [Fact]
    public void Database_HoldsOnlyTheTokensHash()
    {
        var (_, token, _) = _world.Invites.Create("guest", 1000, 1000, TimeSpan.FromDays(1));

        using var lease = _world.Database.Borrow();
        using var command = lease.Command("SELECT token_hash FROM invites");
        var stored = (string)command.ExecuteScalar()!;
        Assert.NotEqual(token, stored);
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_WithAWrongOrMangledToken_FindsNothing()
    {
        var (_, token, _) = _world.Invites.Create("guest", 1000, 1000, TimeSpan.FromDays(1));

        Assert.Null(_world.Invites.Find(token[..^1]));
        Assert.Null(_world.Invites.Find(string.Empty));
        Assert.Null(_world.Invites.Find(new string('x', 5000)));
    }

    [Fact]
    public void Invite_AfterExpiryOrRevocation_IsNotUsable()
    {
        var (first, _, _) = _world.Invites.Create("one", 1000, 1000, TimeSpan.FromHours(1));
        var (second, _, _) = _world.Invites.Create("two", 1000, 1000, TimeSpan.FromDays(1));

        _world.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(_world.Invites.Revoke(second!.Id));

        Assert.False(_world.Invites.IsUsable(_world.Invites.Get(first!.Id)!));
        Assert.False(_world.Invites.IsUsable(_world.Invites.Get(second.Id)!));
        Assert.False(_world.Invites.Revoke(second.Id));
    }

    [Theory]
    [InlineData("", 1000, 1000, 1, "label")]
    [InlineData("guest", 0, 1000, 1, "larger than 0")]
    [InlineData("guest", 1000, 0, 1, "larger than 0")]
    [InlineData("guest", 1000, 1000, 400, "365 days")]
    public void Create_WithBadValues_IsRefused(string label, long quota, long maxFile, int days, string expected)
    {
        var (invite, token, error) = _world.Invites.Create(label, quota, maxFile, TimeSpan.FromDays(days));

        Assert.Null(invite);
        Assert.Empty(token);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(_world.Invites.List());
    }

    public void Dispose() => _world.Dispose();
}
