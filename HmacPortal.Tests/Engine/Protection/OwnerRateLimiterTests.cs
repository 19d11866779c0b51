using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Protection;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Protection;

public sealed class OwnerRateLimiterTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly TestOptionsMonitor<RateLimitOptions> _options = new(new RateLimitOptions
    {
        Enabled = true, ByOwner = true, Burst = 2, RequestsPerMinute = 30, ExemptOwners = ["bot@example.org"],
    });

    private readonly OwnerRateLimiter _limiter;

    public OwnerRateLimiterTests() => _limiter = new OwnerRateLimiter(_options, _clock);

    public void Dispose() => _limiter.Dispose();

    [Fact]
    public void AnOwner_PastTheBurst_WaitsForTheRefill_OthersAreUnaffected()
    {
        Assert.Null(_limiter.TryAcquire("alice"));
        Assert.Null(_limiter.TryAcquire("ALICE"));
        Assert.Equal(TimeSpan.FromSeconds(2), _limiter.TryAcquire("alice"));
        Assert.Null(_limiter.TryAcquire("bob"));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(_limiter.TryAcquire("alice"));
        Assert.NotNull(_limiter.TryAcquire("alice"));
    }

    [Fact]
    public void ExemptOwners_NoOwner_AndByOwnerOff_AreNeverLimited()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(_limiter.TryAcquire("bot@example.org"));
            Assert.Null(_limiter.TryAcquire(null));
        }

        _options.Set(new RateLimitOptions { Enabled = true, ByOwner = false, Burst = 1 });
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(_limiter.TryAcquire("carol"));
        }
    }

    [Fact]
    public async Task ManyParallelRequests_OfOneOwner_GetExactlyTheBurst()
    {
        _options.Set(new RateLimitOptions { Enabled = true, ByOwner = true, Burst = 25, RequestsPerMinute = 1 });

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => _limiter.TryAcquire("dave"))));

        Assert.Equal(25, results.Count(r => r is null));
    }
}
