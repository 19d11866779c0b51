using System.Net;
using System.Net.Sockets;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Stability;

/// <summary>Many idle connections (a slowloris-style crowd) do not starve real requests.</summary>
public sealed class IdleConnectionTests : IAsyncLifetime, IDisposable
{
    private const int IdleConnections = 2000;
    private readonly TempDirectory _dir = new();
    private readonly List<TcpClient> _idle = [];
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
        _server = await ServerProcess.StartAsync(config);
    }

    [Fact]
    public async Task ThousandsOfIdleConnections_DoNotStarveRealRequests()
    {
        for (var i = 0; i < IdleConnections; i++)
        {
            var idle = new TcpClient();
            await idle.ConnectAsync(IPAddress.Loopback, _server.BaseAddress.Port);
            _idle.Add(idle);
        }

        using var client = _server.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(10);
        for (var i = 0; i < 20; i++)
        {
            using var put = await client.SendAsync(SignedUploads.SignedPut($"crowd/{i}.bin", SignedUploads.Body(1000, seed: i)));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal("OK", await client.GetStringAsync(new Uri("health", UriKind.Relative)));
        }

        Assert.All(_idle, c => Assert.True(c.Connected));
    }

    public async Task DisposeAsync()
    {
        foreach (var idle in _idle)
        {
            idle.Dispose();
        }

        await _server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();
}
