using Bunit;
using HmacPortal.Components.Pages;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Health;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Components.Pages;

public sealed class HomeTests : ComponentTestBase
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));
    private readonly TestOptionsMonitor<ServerOptions> _server;

    public HomeTests()
    {
        _server = new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = _dir.Path, MaxUploadSize = ByteSize.Parse("2GB") });
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(new ServerStatus(_clock, _server));
    }

    [Fact]
    public void Render_ShowsVersionLimitAndSpace()
    {
        var page = RenderPage<Home>();

        Assert.Equal(ServerStatus.Version, page.Find("[data-testid=version]").TextContent);
        Assert.Contains("2 GiB", page.Markup, StringComparison.Ordinal);
        Assert.Matches(@"\d", page.Find("[data-testid=free]").TextContent);
        Assert.Contains("of the storage volume is in use", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Uptime_AdvancesWithTheClockWithoutReload()
    {
        var page = RenderPage<Home>();
        Assert.Equal("00:00:00", page.Find("[data-testid=uptime]").TextContent);

        _clock.Advance(TimeSpan.FromSeconds(61));

        page.WaitForAssertion(() => Assert.Equal("00:01:01", page.Find("[data-testid=uptime]").TextContent));
    }

    [Fact]
    public void LowOnSpace_ShowsThatUploadsAreRefused()
    {
        _server.Set(new ServerOptions { StoragePath = _dir.Path, MinFreeBytes = ByteSize.Parse("100000TB") });

        var page = RenderPage<Home>();

        Assert.Contains("uploads are refused until space is freed", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageGone_SaysUploadsAreRefused_InsteadOfFailing()
    {
        _server.Set(new ServerOptions { StoragePath = Path.Combine(_dir.Path, "not-mounted", "files") });

        var page = RenderPage<Home>();

        Assert.Equal("unavailable", page.Find("[data-testid=free]").TextContent);
        Assert.Contains("uploads are refused until it is back", page.Find("[data-testid=storage-unavailable]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("not-mounted", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Prerendered_DoesNotStartTimer()
    {
        var page = RenderPage<Home>(interactive: false);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("00:00:00", page.Find("[data-testid=uptime]").TextContent);
    }

    protected override void OnDisposed() => _dir.Dispose();
}
