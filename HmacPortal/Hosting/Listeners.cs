using System.Net.NetworkInformation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HmacPortal.Hosting;

/// <summary>Where the server listens and which network interfaces the machine has, for the network view.</summary>
internal class Listeners(IServiceProvider services)
{
    public virtual IReadOnlyList<string> Addresses =>
        services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public virtual IReadOnlyList<(string Name, string State, IReadOnlyList<string> Addresses)> Interfaces =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Select(n => (n.Name, n.OperationalStatus.ToString(),
                (IReadOnlyList<string>)n.GetIPProperties().UnicastAddresses.Select(a => a.Address.ToString()).ToList()))
            .ToList();
}
