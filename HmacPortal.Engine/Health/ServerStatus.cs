using System.Reflection;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Health;

/// <summary>What the home page and the admin console show about the running server.</summary>
public sealed class ServerStatus(TimeProvider clock, IOptionsMonitor<ServerOptions> server)
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    public static string Version { get; } =
        typeof(ServerStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public TimeSpan Uptime => clock.GetUtcNow() - _startedAt;

    public ByteSize MinFreeBytes => server.CurrentValue.MinFreeBytes;

    public ByteSize MaxUploadSize => server.CurrentValue.MaxUploadSize;

    public StorageVolume Storage => StorageVolume.Of(server.CurrentValue.StoragePath);
}
