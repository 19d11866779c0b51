using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace HmacPortal.Tests.Support;

/// <summary>
/// One HTTP/1.1 connection written byte by byte, for what HttpClient will not send: raw request
/// targets, half bodies, aborted uploads, Expect handshakes.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawHttpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri baseAddress)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        return new RawHttpConnection(tcp);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one response head: the status code and the headers (lower-cased names).</summary>
    public async Task<(int Status, Dictionary<string, string> Headers)> ReadHeadAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.Latin1.GetString(_pending.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.RemoveRange(0, end + 4);
                var lines = text[..end].Split("\r\n");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                return (int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture), headers);
            }

            var read = await _stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("the server closed the connection before a response head");
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>True when the server has closed the connection (reads end).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(buffer, timeout.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Closes the socket abruptly (RST), as a client losing its network does.</summary>
    public void Abort()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
