using HmacPortal.Engine.Identity;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Identity;

public sealed class SignInGuardTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void FiveFailures_LockOutForFifteenMinutes_ThenAllowAgain()
    {
        var guard = new SignInGuard(_clock);
        for (var i = 0; i < SignInGuard.MaxFailures - 1; i++)
        {
            guard.RecordFailure("198.51.100.7");
        }

        Assert.False(guard.IsLockedOut("198.51.100.7", out _));
        guard.RecordFailure("198.51.100.7");
        Assert.True(guard.IsLockedOut("198.51.100.7", out var remaining));
        Assert.Equal(SignInGuard.LockoutTime, remaining);
        Assert.False(guard.IsLockedOut("198.51.100.8", out _), "another address is not affected");

        _clock.Advance(SignInGuard.LockoutTime);
        Assert.False(guard.IsLockedOut("198.51.100.7", out _));
    }

    [Fact]
    public void FailuresSpreadBeyondTheWindow_DoNotLockOut()
    {
        var guard = new SignInGuard(_clock);
        for (var i = 0; i < SignInGuard.MaxFailures * 2; i++)
        {
            guard.RecordFailure("2001:db8::1");
            _clock.Advance(SignInGuard.Window / (SignInGuard.MaxFailures - 1));
        }

        Assert.False(guard.IsLockedOut("2001:db8::1", out _));
    }

    [Fact]
    public void Success_ClearsFailures()
    {
        var guard = new SignInGuard(_clock);
        for (var i = 0; i < SignInGuard.MaxFailures - 1; i++)
        {
            guard.RecordFailure("a");
        }

        guard.RecordSuccess("a");
        guard.RecordFailure("a");

        Assert.False(guard.IsLockedOut("a", out _));
    }
}
