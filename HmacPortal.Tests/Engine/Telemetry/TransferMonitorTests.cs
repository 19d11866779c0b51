using HmacPortal.Engine.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Telemetry;

public sealed class TransferMonitorTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void ActiveUpload_ShowsProgressAndSpeed_UntilDisposed()
    {
        var monitor = new TransferMonitor(_clock);

        using (var transfer = monitor.BeginUpload("tus", "a/b.bin", "192.0.2.7", 1000, alreadyStored: 200))
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            transfer.Add(300);

            var active = Assert.Single(monitor.Snapshot().Active);
            Assert.Equal(("tus", "a/b.bin", "192.0.2.7"), (active.Protocol, active.Path, active.Client));
            Assert.Equal(500, active.Received);
            Assert.Equal(50, active.Percent);
            Assert.Equal(150, active.BytesPerSecond);
        }

        Assert.Empty(monitor.Snapshot().Active);
    }

    [Fact]
    public void Rates_CountTheLastSeconds_AndForgetOlderOnes()
    {
        var monitor = new TransferMonitor(_clock);
        for (var i = 0; i < 11; i++)
        {
            monitor.UploadStored();
            monitor.DownloadServed(1100);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        var now = monitor.Snapshot();
        Assert.Equal(10.0 / 11, now.UploadsPerSecond, 3);
        Assert.Equal(1000, now.BytesOutPerSecond, 3);

        _clock.Advance(TimeSpan.FromSeconds(30));
        var later = monitor.Snapshot();
        Assert.Equal(0, later.UploadsPerSecond);
        Assert.Equal(0, later.DownloadsPerSecond);
    }

    [Fact]
    public void Errors_AreCountedByStatusForAMinute()
    {
        var monitor = new TransferMonitor(_clock);
        monitor.Refused(403);
        monitor.Refused(403);
        monitor.Refused(413);

        Assert.Equal(new Dictionary<int, long> { [403] = 2, [413] = 1 }, monitor.Snapshot().ErrorsLastMinute);

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Empty(monitor.Snapshot().ErrorsLastMinute);
    }

    [Fact]
    public async Task ManyUploadsAtOnce_AllCountedAndAllEnded()
    {
        var monitor = new TransferMonitor(_clock);

        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
        {
            using var transfer = monitor.BeginUpload("v2", $"p{i}", null, 100);
            for (var j = 0; j < 100; j++)
            {
                transfer.Add(1);
            }

            monitor.UploadStored();
        })));

        var snapshot = monitor.Snapshot();
        Assert.Empty(snapshot.Active);
        Assert.Equal(32.0 / 11, snapshot.UploadsPerSecond, 3);
        Assert.Equal(3200.0 / 11, snapshot.BytesInPerSecond, 3);
    }

    [Fact]
    public void History_HoldsBytesPerMinuteForAnHour()
    {
        var monitor = new TransferMonitor(_clock);
        using (var transfer = monitor.BeginUpload("v2", "a", null, 100))
        {
            transfer.Add(700);
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        monitor.DownloadServed(300);

        var history = monitor.History();
        Assert.Equal(TransferMonitor.HistoryMinutes, history.Count);
        Assert.Equal((700, 0), (history[^2].BytesIn, history[^2].BytesOut));
        Assert.Equal((0, 300), (history[^1].BytesIn, history[^1].BytesOut));

        _clock.Advance(TimeSpan.FromMinutes(TransferMonitor.HistoryMinutes));
        Assert.All(monitor.History(), m => Assert.Equal((0, 0), (m.BytesIn, m.BytesOut)));
    }

    [Fact]
    public void Stalled_IsFlaggedWhenNoDataCameForAWhile()
    {
        var monitor = new TransferMonitor(_clock);
        using var transfer = monitor.BeginUpload("v2", "a", null, 100);
        transfer.Add(10);

        _clock.Advance(TransferMonitor.StallAfter - TimeSpan.FromSeconds(1));
        Assert.False(Assert.Single(monitor.Snapshot().Active).Stalled);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Assert.Single(monitor.Snapshot().Active).Stalled);
        transfer.Add(10);
        Assert.False(Assert.Single(monitor.Snapshot().Active).Stalled);
    }

    [Fact]
    public void Trails_FollowAResumableUploadAcrossAddressesAndResumes_UntilItIsStored()
    {
        var monitor = new TransferMonitor(_clock);
        monitor.BeginUpload("tus", "s/big.iso", "192.0.2.10", 1000).Dispose();
        _clock.Advance(TimeSpan.FromMinutes(1));
        monitor.BeginUpload("tus", "s/big.iso", "198.51.100.7", 1000, alreadyStored: 400).Dispose();
        monitor.BeginUpload("tus", "s/big.iso", "198.51.100.7", 1000, alreadyStored: 800).Dispose();

        var trail = Assert.Single(monitor.Trails());
        Assert.Equal(["192.0.2.10", "198.51.100.7"], trail.Addresses);
        Assert.Equal(1, trail.AddressChanges);
        Assert.Equal(2, trail.Resumes);

        monitor.UploadStored("s/big.iso");
        Assert.Empty(monitor.Trails());
    }

    [Fact]
    public void Trails_AreBounded()
    {
        var monitor = new TransferMonitor(_clock);
        for (var i = 0; i < TransferMonitor.MaxTrails + 50; i++)
        {
            monitor.BeginUpload("tus", $"p{i}", "192.0.2.1", 10).Dispose();
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var trails = monitor.Trails();
        Assert.Equal(TransferMonitor.MaxTrails, trails.Count);
        Assert.DoesNotContain(trails, t => t.Path == "p0");
    }
}
