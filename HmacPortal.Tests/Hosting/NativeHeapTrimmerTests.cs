using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Hosting;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public async Task Trimmer_RunsOncePerInterval_AndStopsWithTheHost()
    {
        var clock = new FakeTimeProvider();
        var calls = 0;
        using var trimmer = new NativeHeapTrimmer(clock) { Trim = () => Interlocked.Increment(ref calls) > 0 };
        await trimmer.StartAsync(CancellationToken.None);
        await trimmer.Ticking.WaitAsync(TimeSpan.FromSeconds(10));

        clock.Advance(NativeHeapTrimmer.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(0, trimmer.Runs);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(SpinWait.SpinUntil(() => trimmer.Runs == 1, TimeSpan.FromSeconds(10)));
        clock.Advance(NativeHeapTrimmer.Interval);
        Assert.True(SpinWait.SpinUntil(() => trimmer.Runs == 2, TimeSpan.FromSeconds(10)));

        await trimmer.StopAsync(CancellationToken.None);
        clock.Advance(NativeHeapTrimmer.Interval);
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public void Server_RunsTheTrimmer()
    {
        using var factory = new HmacPortalFactory();
        Assert.Single(factory.Services.GetServices<IHostedService>().OfType<NativeHeapTrimmer>());
    }
}
