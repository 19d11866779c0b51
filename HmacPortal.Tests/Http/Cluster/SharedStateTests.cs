using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HmacPortal.Engine.Cluster;
using HmacPortal.Engine.Protection;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Cluster;

/// <summary>Two nodes (hosts) sharing one Redis: limits and bans hold across them, and each goes on alone while Redis is away.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedStateTests : IDisposable
{
    private readonly RedisServer _redis;
    private readonly HmacPortalFactory _first;
    private readonly HmacPortalFactory _second;
    private readonly string _toml;

    public SharedStateTests(RedisServer redis)
    {
        _redis = redis;
        var prefix = "t" + Guid.NewGuid().ToString("N")[..8];
        var toml = redis.Toml(prefix)
            + "\n[rate_limit]\nenabled = true\nrequests_per_minute = 1\nburst = 4\n";
        _toml = toml;
        _first = new HmacPortalFactory(toml, server: "metricsenabled = true", security: "ban_after = 2\nban_window = \"10m\"\nban_duration = \"1h\"");
        _second = new HmacPortalFactory(toml, server: "metricsenabled = true", security: "ban_after = 2\nban_window = \"10m\"\nban_duration = \"1h\"");
        _first.Peer = _second.Peer = IPAddress.Parse("198.51.100.80");
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private static async Task<HttpStatusCode> PutAsync(HmacPortalFactory node, string path, string secret = SignedUploads.Secret)
    {
        using var client = node.CreateClient();
        using var response = await client.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(10), "application/octet-stream", secret));
        return response.StatusCode;
    }

    private static async Task<JsonElement> ReadyAsync(HmacPortalFactory node)
    {
        using var client = node.CreateClient();
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("redis");
    }

    [Fact]
    public async Task TheRateLimit_HoldsAcrossBothNodes()
    {
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_first, "rl/1.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, "rl/2.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_first, "rl/3.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, "rl/4.bin"));

        Assert.Equal((HttpStatusCode)429, await PutAsync(_first, "rl/5.bin"));
        Assert.Equal((HttpStatusCode)429, await PutAsync(_second, "rl/6.bin"));
        Assert.Equal("Healthy", (await ReadyAsync(_first)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task FailuresOnEitherNode_BanTheAddressOnBoth_AndALiftOnOneLiftsItOnBoth()
    {
        _first.Peer = _second.Peer = IPAddress.Parse("198.51.100.81");
        Assert.Equal(HttpStatusCode.Forbidden, await PutAsync(_first, "ban/1.bin", "wrong-secret-0123456789abcdef"));
        Assert.Equal(HttpStatusCode.Forbidden, await PutAsync(_second, "ban/2.bin", "wrong-secret-0123456789abcdef"));

        var ban = Assert.Single(_first.Services.GetRequiredService<BanList>().Current());
        Assert.Equal("198.51.100.81", ban.Client);
        Assert.NotNull(_second.Services.GetRequiredService<BanList>().Find("198.51.100.81"));
        Assert.Equal(HttpStatusCode.Forbidden, await PutAsync(_first, "ban/3.bin"));

        Assert.True(_first.Services.GetRequiredService<BanList>().Lift("198.51.100.81", "test"));
        Assert.Null(_second.Services.GetRequiredService<BanList>().Find("198.51.100.81"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, "ban/4.bin"));
    }

    [Fact]
    public async Task EachNodesConsole_ShowsTheUploadsInProgressOnTheOther()
    {
        var view = _second.Services.GetRequiredService<ClusterView>();
        using (_first.Services.GetRequiredService<HmacPortal.Engine.Telemetry.TransferMonitor>().BeginUpload("tus", "slow/film.mkv", "198.51.100.90", 1000))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (view.Snapshot() is not { Nodes: 2 } || view.Snapshot().Transfers.Active.Count == 0)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), "the other node's upload did not appear within 15 s");
                await Task.Delay(100);
            }

            var upload = Assert.Single(view.Snapshot().Transfers.Active);
            Assert.Equal(("slow/film.mkv", "198.51.100.90"), (upload.Path, upload.Client));
            Assert.Equal(_first.Services.GetRequiredService<RedisConnection>().NodeId, upload.Node);
        }

        var gone = System.Diagnostics.Stopwatch.StartNew();
        while (view.Snapshot().Transfers.Active.Count > 0)
        {
            Assert.True(gone.Elapsed < TimeSpan.FromSeconds(15), "the finished upload stayed in the other node's view");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task WhileRedisIsDown_EachNodeGoesOnAlone_ReportsItselfDegraded_AndSharesAgainWhenItIsBack()
    {
        _first.Peer = _second.Peer = IPAddress.Parse("198.51.100.82");
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_first, "down/0.bin"));

        _redis.Stop();
        try
        {
            // Each node limits alone: four uploads each, whatever the other did.
            for (var i = 1; i <= 4; i++)
            {
                Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, $"down/second-{i}.bin"));
            }

            Assert.Equal((HttpStatusCode)429, await PutAsync(_second, "down/second-5.bin"));
            var degraded = await ReadyAsync(_second);
            Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
            Assert.True(_second.Services.GetRequiredService<RedisConnection>().Degraded);
            using var metrics = _second.CreateClient();
            Assert.Contains("hmacportal_redis_shared 0", await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);

            // A node that starts while Redis is away serves too, resumable uploads included.
            using var late = new HmacPortalFactory(_toml + "\n[uploads]\nanonymous_resumable = true\n");
            late.Peer = IPAddress.Parse("198.51.100.84");
            Assert.Equal(HttpStatusCode.Created, await PutAsync(late, "down/late.bin"));
            using var tus = late.CreateClient();
            using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
            create.Headers.Add("Tus-Resumable", "1.0.0");
            create.Headers.Add("Upload-Length", "10");
            using var created = await tus.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("Degraded", (await ReadyAsync(late)).GetProperty("status").GetString());
        }
        finally
        {
            _redis.Start();
        }

        var back = System.Diagnostics.Stopwatch.StartNew();
        while (_first.Services.GetRequiredService<RedisConnection>().Degraded || _second.Services.GetRequiredService<RedisConnection>().Degraded)
        {
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(30), "the nodes did not share again within 30 s of Redis coming back");
            await Task.Delay(100);
        }

        Assert.Equal("Healthy", (await ReadyAsync(_first)).GetProperty("status").GetString());
        using (var metrics = _first.CreateClient())
        {
            Assert.Contains("hmacportal_redis_shared 1", await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }

        // Redis came back empty: the shared bucket starts full again, and is shared again.
        _first.Peer = _second.Peer = IPAddress.Parse("198.51.100.83");
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_first, "back/1.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, "back/2.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_first, "back/3.bin"));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(_second, "back/4.bin"));
        Assert.Equal((HttpStatusCode)429, await PutAsync(_first, "back/5.bin"));
    }
}
