using System.Net;
using System.Net.Sockets;

namespace HmacPortal.Tests.Support;

/// <summary>Ports on 127.0.0.1 for the servers the tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when something accepts connections on <paramref name="port"/>.</summary>
    public static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
