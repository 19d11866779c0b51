using System.Globalization;
using System.Net;

namespace HmacPortal.Engine.Configuration;

/// <summary>Where to listen, parsed from the Go server's <c>listen_address</c> and <c>bind_ip</c>.</summary>
public static class ListenEndpoint
{
    /// <summary>
    /// Accepts a bare port (<c>8080</c>, <c>:8080</c>), which listens on <paramref name="bindIp"/>, or an
    /// explicit <c>host:port</c> / <c>[v6]:port</c>.
    /// </summary>
    public static bool TryParse(string listenAddress, string bindIp, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        var text = (listenAddress ?? string.Empty).Trim();
        if (text.StartsWith(':'))
        {
            text = text[1..];
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            if (!IPAddress.TryParse(bindIp, out var address))
            {
                error = $"bind_ip '{bindIp}' is not an IP address";
                return false;
            }

            if (port is < 0 or > 65535)
            {
                error = $"port {port} is out of range (0-65535)";
                return false;
            }

            endpoint = new IPEndPoint(address, port);
            error = string.Empty;
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && text.Contains(':', StringComparison.Ordinal))
        {
            endpoint = parsed;
            error = string.Empty;
            return true;
        }

        error = $"'{listenAddress}' is not a port (\"8080\") or an address and port (\"127.0.0.1:8080\", \"[::1]:8080\")";
        return false;
    }
}
