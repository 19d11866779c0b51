using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// Brings the keyring in step with the config before the server takes requests (a keyring that
/// cannot be read stops the start with its reason), and again whenever <c>[security]</c> or
/// <c>[key_rotation]</c> is edited, so a new secret in the config is adopted at once.
/// </summary>
internal sealed class KeyringStartup(
    Keyring keyring, IOptionsMonitor<SecurityOptions> security, IOptionsMonitor<KeyRotationOptions> rotation, ILogger<KeyringStartup> logger)
    : IHostedService, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await keyring.SynchroniseAsync(cancellationToken);
        _subscriptions.Add(security.OnChange(changed => { _ = SynchroniseAsync(); })!);
        _subscriptions.Add(rotation.OnChange(changed => { _ = SynchroniseAsync(); })!);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SynchroniseAsync()
    {
        try
        {
            await keyring.SynchroniseAsync();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            HostingLog.KeyringNotSynchronised(logger, ex.Message);
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
