using HmacPortal.Engine.Health;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HmacPortal.Hosting;

/// <summary>
/// Prints, once the server listens, where it listens and which config file it runs on. On the very
/// first start it also prints the generated admin password: straight to the console, never to the log.
/// </summary>
internal sealed class StartupBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    StartupFacts facts,
    ILogger<StartupBanner> logger) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration.Dispose();
        return Task.CompletedTask;
    }

    private void Print()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        HostingLog.Listening(logger, ServerStatus.Version, string.Join(", ", addresses));
        var console = facts.Console;
        foreach (var address in addresses)
        {
            console.WriteLine($"HmacPortal listening on {address}");
        }

        console.WriteLine($"Configuration: {facts.ConfigPath}");
        if (facts.GeneratedAdminPassword is { } password)
        {
            console.WriteLine("A new configuration was written with a random secret.");
            console.WriteLine($"Admin password (shown only now; change it with --hash-password): {password}");
        }

        console.Flush();
    }
}

/// <summary>What start-up learned before the host was built.</summary>
internal sealed record StartupFacts(string ConfigPath, string? GeneratedAdminPassword, TextWriter Console);
