using System.Net;

namespace HmacPortal.Engine.Network;

/// <summary>
/// Who the client is. The socket's peer, unless that peer is one of the configured trusted proxies:
/// then the forwarded chain (<c>X-Forwarded-For</c>, else <c>X-Real-IP</c>) is read from the right,
/// skipping further trusted proxies, and the first address that is not one is the client. A header
/// from anyone else is ignored, so it cannot be used to pose as another address.
/// </summary>
public static class ClientAddress
{
    public static IPAddress? Resolve(IPAddress? peer, string? forwardedFor, string? realIp, IReadOnlyList<IPNetwork> trusted)
    {
        if (peer is null || trusted.Count == 0 || !IsTrusted(peer, trusted))
        {
            return peer;
        }

        var chain = !string.IsNullOrWhiteSpace(forwardedFor) ? forwardedFor.Split(',') : !string.IsNullOrWhiteSpace(realIp) ? [realIp] : [];
        var client = peer;
        for (var i = chain.Length - 1; i >= 0; i--)
        {
            if (!TryParse(chain[i], out var hop))
            {
                // A malformed entry ends what can be believed; the last good hop is the client.
                break;
            }

            client = hop;
            if (!IsTrusted(hop, trusted))
            {
                break;
            }
        }

        return client;
    }

    /// <summary>Parses addresses (<c>10.0.0.1</c>, <c>::1</c>) and networks (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        var value = text.Trim();
        if (IPNetwork.TryParse(value, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(value, out var address))
        {
            address = Normalize(address);
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        var normalized = Normalize(address);
        return trusted.Any(network => network.Contains(normalized));
    }

    private static bool TryParse(string text, out IPAddress address)
    {
        var value = text.Trim();

        // "[2001:db8::1]:443" and "203.0.113.9:51234" carry a port some proxies append.
        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            address = Normalize(endpoint.Address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
