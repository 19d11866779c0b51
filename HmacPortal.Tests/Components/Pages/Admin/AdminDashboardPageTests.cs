using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Health;
using HmacPortal.Engine.Jobs;
using HmacPortal.Engine.Processing;
using HmacPortal.Engine.Telemetry;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminDashboardPageTests : PortalComponentTestBase
{
    private readonly TransferMonitor _transfers;
    private readonly GatedProcessor _processor = new();
    private readonly ProcessingWorkers _workers;

    public AdminDashboardPageTests()
        : base(userQuota: 1 << 20)
    {
        _transfers = new TransferMonitor(World.Clock);
        Services.AddSingleton(_transfers);
        Services.AddSingleton(new ServerStatus(World.Clock, World.ServerMonitor));
        Services.AddSingleton(new DiskSpaceWatchdog(World.Files, World.ServerMonitor, NullLogger<DiskSpaceWatchdog>.Instance));
        Services.AddSingleton(World.Sessions);
        Services.AddSingleton<Hangfire.JobStorage>(new Hangfire.InMemory.InMemoryStorage());
        var redis = new HmacPortal.Engine.Cluster.RedisConnection(
            Microsoft.Extensions.Options.Options.Create(new HmacPortal.Engine.Configuration.RedisOptions()), NullLogger<HmacPortal.Engine.Cluster.RedisConnection>.Instance);
        Services.AddSingleton(redis);
        Services.AddSingleton(new HmacPortal.Engine.Cluster.ClusterView(redis, _transfers));
        Services.AddSingleton(World.Processing);
        Services.AddSingleton(_workers = new ProcessingWorkers(
            World.Processing, _processor, new TestOptionsMonitor<HmacPortal.Engine.Configuration.WorkersOptions>(World.Workers), World.Clock, NullLogger<ProcessingWorkers>.Instance));
        Services.AddSingleton(World.Dedup);
        Services.AddSingleton(World.Scanner);
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    [Fact]
    public async Task Quiet_ShowsNoUploadsAndTheStoredFiles()
    {
        await World.StoreAsync("a/b.bin", "alice", new byte[2048]);

        var page = RenderPage<AdminDashboardPage>();

        Assert.NotNull(page.Find("[data-testid=no-active]"));
        Assert.Equal("none", page.Find("[data-testid=errors]").TextContent);
        Assert.Contains("2 KiB in 1 file(s)", page.Find("[data-testid=storage]").TextContent, StringComparison.Ordinal);
        Assert.Contains("0 succeeded, 0 failed", page.Find("[data-testid=jobs]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageUnavailable_SaysWhy_InsteadOfFailing()
    {
        await World.StoreAsync("a/b.bin", "alice", new byte[2048]);
        Services.AddSingleton(new ServerStatus(World.Clock, World.ServerMonitor, UnmountedVolume.Files(World.ServerMonitor)));

        var page = RenderPage<AdminDashboardPage>();

        Assert.Contains("2 KiB in 1 file(s); storage unavailable", page.Find("[data-testid=storage]").TextContent, StringComparison.Ordinal);
        Assert.Contains("does not carry this server's volume marker", page.Find("[data-testid=storage-unavailable]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_ShowsWhatWaitsWhatIsBusyAndWhatWasDone()
    {
        World.DedupOptions.Enabled = true;
        _workers.Start();
        World.Processing.Enqueue("q/one.bin");
        World.Processing.Enqueue("q/two.bin");
        World.Processing.Enqueue("q/three.bin");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (_processor.Running < 2)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        var page = RenderPage<AdminDashboardPage>();
        Assert.Equal("1 of 1000 queued; 2 of 2 worker(s) busy", page.Find("[data-testid=queue]").TextContent);

        World.Clock.Advance(TimeSpan.FromSeconds(3));
        _processor.Open();
        await _workers.StopAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        World.Clock.Advance(TimeSpan.FromSeconds(1));

        page.WaitForAssertion(() => Assert.StartsWith("3 processed, mean wait", page.Find("[data-testid=queue-totals]").TextContent, StringComparison.Ordinal));
        Assert.Contains("0 handed to the job server, 0 failed", page.Find("[data-testid=queue-totals]").TextContent, StringComparison.Ordinal);
        Assert.Equal("0 file(s), 0 B saved since start", page.Find("[data-testid=dedup]").TextContent);
        Assert.Equal("off", page.Find("[data-testid=scanning]").TextContent);
    }

    [Fact]
    public void Live_AnUploadAppearsProgressesAndGoes_OnEachTick()
    {
        var page = RenderPage<AdminDashboardPage>();
        Assert.NotNull(page.Find("[data-testid=no-active]"));

        var transfer = _transfers.BeginUpload("v2", "slot/movie.mp4", "198.51.100.4", 4096);
        transfer.Add(1024);
        World.Clock.Advance(TimeSpan.FromSeconds(1));
        page.WaitForAssertion(() => Assert.Equal("1 KiB of 4 KiB", page.Find("[data-testid=active-progress]").TextContent));
        Assert.Contains("198.51.100.4", page.Find("[data-testid=active-upload]").TextContent, StringComparison.Ordinal);

        transfer.Add(2048);
        World.Clock.Advance(TimeSpan.FromSeconds(1));
        page.WaitForAssertion(() => Assert.Equal("3 KiB of 4 KiB", page.Find("[data-testid=active-progress]").TextContent));

        transfer.Dispose();
        _transfers.Refused(413);
        World.Clock.Advance(TimeSpan.FromSeconds(1));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-active]")));
        Assert.Equal("1× 413", page.Find("[data-testid=errors]").TextContent);
    }

    protected override void OnDisposed()
    {
        _workers.Dispose();
        base.OnDisposed();
    }
}
