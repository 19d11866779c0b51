using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Support;

/// <summary>
/// The real host in memory: a temp storage root, a test config.toml written from
/// <see cref="TestFiles.MinimalConfig"/> plus <c>extraToml</c>, and a fake clock.
/// </summary>
public sealed class HmacPortalFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory _root = new();

    public HmacPortalFactory(string extraToml = "", string server = "", string security = "")
    {
        ConfigPath = _root.Write("config.toml", TestFiles.MinimalConfig(_root.Path, extraToml, server, security));
    }

    public string ConfigPath { get; }

    public string RootPath => _root.Path;

    public string StoragePath => _root.Combine("files");

    public string DataPath => _root.Combine("state");

    /// <summary>The files under storage_path (all levels by default), but the volume marker every server keeps there.</summary>
    public IReadOnlyList<string> StorageFiles(SearchOption levels = SearchOption.AllDirectories) =>
        [.. Directory.EnumerateFiles(StoragePath, "*", levels).Where(f => Path.GetFileName(f) != HmacPortal.Engine.Storage.StorageVolumeGuard.MarkerName)];

    /// <summary>The files and directories at the top of storage_path, but the volume marker.</summary>
    public IReadOnlyList<string> StorageEntries() =>
        [.. Directory.EnumerateFileSystemEntries(StoragePath).Where(f => Path.GetFileName(f) != HmacPortal.Engine.Storage.StorageVolumeGuard.MarkerName)];

    /// <remarks>Starts in the past: the framework checks If-Modified-Since against the real clock and ignores future dates.</remarks>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Stores a 3-byte file at <paramref name="path"/> by hand with a record that expired a day ago
    /// (on <see cref="Clock"/>), for the expiry job to find; gives the file's full path.
    /// </summary>
    public async Task<string> StoreExpiredAsync(string path = "slot/old.bin")
    {
        var file = Path.Combine(StoragePath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, [1, 2, 3]);
        await Services.GetRequiredService<HmacPortal.Engine.Metadata.IMetadataStore>().RecordAsync(
            new HmacPortal.Engine.Metadata.FileRecord(path, path, 3, "application/octet-stream", null, null, "v", null, Clock.GetUtcNow().AddDays(-2), Clock.GetUtcNow().AddDays(-1)),
            CancellationToken.None);
        return file;
    }

    /// <summary>Waits (up to 30 s) until the host's workers have post-processed <paramref name="path"/>, and gives its record.</summary>
    public async Task<HmacPortal.Engine.Metadata.FileRecord> ProcessedAsync(string path)
    {
        var metadata = Services.GetRequiredService<HmacPortal.Engine.Metadata.IMetadataStore>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await metadata.GetAsync(path, timeout.Token) is { Processed: not null } record)
            {
                return record;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>The client address requests appear to come from (the in-memory server has none otherwise).</summary>
    public IPAddress? Peer { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("config", ConfigPath);
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter>(new PeerFilter(this));
        });
    }

    private sealed class PeerFilter(HmacPortalFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (factory.Peer is { } peer)
                {
                    context.Connection.RemoteIpAddress = peer;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _root.Dispose();
        }
    }
}
