using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Telemetry;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminNetworkPageTests : PortalComponentTestBase
{
    private readonly TransferMonitor _transfers;
    private readonly ForwardedClients.ArrivalCounts _arrivals = new();

    public AdminNetworkPageTests()
        : base(userQuota: 1 << 20)
    {
        _transfers = new TransferMonitor(World.Clock);
        World.Server.TrustedProxies = ["10.0.0.1"];
        Services.AddSingleton(_transfers);
        Services.AddSingleton(_arrivals);
        Services.AddSingleton<Listeners>(new FixedListeners());
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    [Fact]
    public void Shows_ListenersProxiesAndInterfaces()
    {
        _arrivals.Count(viaProxy: true);
        _arrivals.Count(viaProxy: false);
        _arrivals.Count(viaProxy: false);

        var page = RenderPage<AdminNetworkPage>();

        Assert.Contains("http://127.0.0.1:8080", page.Find("[data-testid=listeners]").TextContent, StringComparison.Ordinal);
        var proxies = page.Find("[data-testid=proxies]").TextContent;
        Assert.Contains("10.0.0.1", proxies, StringComparison.Ordinal);
        Assert.Contains("1 through a trusted proxy, 2 directly", proxies, StringComparison.Ordinal);
        Assert.Contains("eth0", page.Find("[data-testid=interfaces]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=no-active]"));
    }

    [Fact]
    public void Live_AStallingUploadIsFlagged_AndAMovedClientShowsInItsTrail()
    {
        _transfers.BeginUpload("tus", "s/movie.mkv", "192.0.2.10", 1000).Dispose();
        using var transfer = _transfers.BeginUpload("tus", "s/movie.mkv", "198.51.100.7", 1000, alreadyStored: 500);
        transfer.Add(100);
        var page = RenderPage<AdminNetworkPage>();

        Assert.Equal("false", page.Find("[data-testid=network-upload]").GetAttribute("data-stalled"));
        Assert.Contains("192.0.2.10 → 198.51.100.7", page.Find("[data-testid=trail]").TextContent, StringComparison.Ordinal);
        Assert.Contains("100 B", page.Find("[data-testid=throughput]").InnerHtml, StringComparison.Ordinal);

        World.Clock.Advance(TransferMonitor.StallAfter);
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=network-upload]").GetAttribute("data-stalled")));
    }

    private sealed class FixedListeners() : Listeners(new ServiceCollection().BuildServiceProvider())
    {
        public override IReadOnlyList<string> Addresses => ["http://127.0.0.1:8080"];

        public override IReadOnlyList<(string Name, string State, IReadOnlyList<string> Addresses)> Interfaces => [("eth0", "Up", ["192.0.2.5"])];
    }
}
