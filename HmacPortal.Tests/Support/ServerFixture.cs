namespace HmacPortal.Tests.Support;

/// <summary>One real server process shared by a test class, with debug logging so tests can wait for its events.</summary>
public sealed class ServerFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();

    public ServerProcess Server { get; private set; } = null!;

    public string StoragePath => _dir.Combine("files");

    public async Task InitializeAsync()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, "[logging]\nlevel = \"debug\"\n"));
        Server = await ServerProcess.StartAsync(config);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose() => _dir.Dispose();
}
