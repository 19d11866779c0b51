using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Protection;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Protection;

public sealed class BanListTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TestOptionsMonitor<SecurityOptions> _options = new(new SecurityOptions { BanAfter = 3, BanWindow = TimeSpan.FromMinutes(10), BanDuration = TimeSpan.FromHours(1) });

    private BanList NewList() => new(_options, _clock, NullLogger<BanList>.Instance);

    [Fact]
    public void FailuresWithinTheWindow_Ban_ForTheDuration()
    {
        var bans = NewList();
        bans.RecordSignatureFailure("203.0.113.5");
        bans.RecordSignatureFailure("203.0.113.5");
        Assert.Null(bans.Find("203.0.113.5"));

        bans.RecordSignatureFailure("203.0.113.5");

        var ban = bans.Find("203.0.113.5");
        Assert.NotNull(ban);
        Assert.Equal(_clock.GetUtcNow().AddHours(1), ban.Until);
        Assert.Null(bans.Find("203.0.113.6"));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(bans.Find("203.0.113.5"));
        Assert.Empty(bans.Current());
    }

    [Fact]
    public void FailuresSpreadBeyondTheWindow_DoNotBan()
    {
        var bans = NewList();
        for (var i = 0; i < 10; i++)
        {
            bans.RecordSignatureFailure("2001:db8::7");
            _clock.Advance(TimeSpan.FromMinutes(6));
        }

        Assert.Null(bans.Find("2001:db8::7"));
    }

    [Fact]
    public void Lift_EndsTheBanAndForgetsTheFailures()
    {
        var bans = NewList();
        for (var i = 0; i < 3; i++)
        {
            bans.RecordSignatureFailure("a");
        }

        Assert.True(bans.Lift("a", "admin"));
        bans.RecordSignatureFailure("a");

        Assert.Null(bans.Find("a"));
        Assert.False(bans.Lift("a", "admin"));
    }

    [Fact]
    public void BanAfterZero_NeverBans()
    {
        _options.Set(new SecurityOptions { BanAfter = 0 });
        var bans = NewList();
        for (var i = 0; i < 100; i++)
        {
            bans.RecordSignatureFailure("a");
        }

        Assert.Empty(bans.Current());
    }

    [Fact]
    public void ManyAddressesFailingOnce_AreForgottenOnceTheirWindowPasses()
    {
        var bans = NewList();
        for (var i = 0; i < 5000; i++)
        {
            bans.RecordSignatureFailure($"10.0.{i / 256}.{i % 256}");
        }

        _clock.Advance(_options.CurrentValue.BanWindow);
        bans.RecordSignatureFailure("192.0.2.1");

        Assert.Equal(1, bans.TrackedAddresses);
    }
}
