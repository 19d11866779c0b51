using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Hosting;

/// <summary>[timeouts] header_timeout and idletimeout, on a real server: slow or idle connections are closed.</summary>
public sealed class TimeoutTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[timeouts]\nheader_timeout = \"2s\"\nidletimeout = \"2s\"\n"));
        _server = await ServerProcess.StartAsync(config);
    }

    [Fact]
    public async Task ClientSendingHeadersTooSlowly_IsDisconnected()
    {
        await using var connection = await RawHttpConnection.OpenAsync(_server.BaseAddress);

        await connection.SendAsync("GET /health HTTP/1.1\r\nHost: x\r\n");

        Assert.True(await connection.IsClosedByServerAsync());
    }

    [Fact]
    public async Task IdleKeepAliveConnection_IsClosedAfterIdleTimeout()
    {
        await using var connection = await RawHttpConnection.OpenAsync(_server.BaseAddress);
        await connection.SendAsync("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, (await connection.ReadHeadAsync()).Status);

        Assert.True(await connection.IsClosedByServerAsync());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _dir.Dispose();
}
