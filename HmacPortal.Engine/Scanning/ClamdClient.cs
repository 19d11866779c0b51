using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HmacPortal.Engine.Scanning;

/// <summary>
/// clamd's stream protocol: <c>zINSTREAM</c>, then the content in chunks each preceded by its
/// length (4 bytes, big-endian), then a zero length; clamd answers <c>stream: OK</c>,
/// <c>stream: &lt;signature&gt; FOUND</c> or <c>... ERROR</c>. clamd never needs to see the file
/// system, so it can run as its own user or on another machine.
/// </summary>
public static class ClamdClient
{
    private const int ChunkSize = 64 * 1024;
    private const int MostReply = 4096;
    private const string SizeLimitExceeded = "size limit exceeded";

    /// <summary>Scans <paramref name="content"/>; throws <see cref="IOException"/> or <see cref="SocketException"/> when clamd cannot answer.</summary>
    public static async Task<ScanVerdict> ScanAsync(string socketAddress, Stream content, CancellationToken cancellationToken)
    {
        using var socket = Connect(socketAddress, out var endpoint);
        await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 4);
        try
        {
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(4, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                    await stream.WriteAsync(buffer.AsMemory(0, read + 4), cancellationToken).ConfigureAwait(false);
                }

                BinaryPrimitives.WriteUInt32BigEndian(buffer, 0);
                await stream.WriteAsync(buffer.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // clamd stops reading and says why when a stream passes its StreamMaxLength; anything else is a failure.
                var reply = await ReadReplyAsync(stream, cancellationToken).ConfigureAwait(false);
                if (!reply.Contains(SizeLimitExceeded, StringComparison.Ordinal))
                {
                    throw;
                }

                return Parse(reply);
            }

            return Parse(await ReadReplyAsync(stream, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads an answer up to its terminating NUL (or the end of the connection).</summary>
    private static async Task<string> ReadReplyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var reply = new byte[MostReply];
        var length = 0;
        while (length < reply.Length)
        {
            var read = await stream.ReadAsync(reply.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Array.IndexOf(reply, (byte)0, length - read, read) >= 0)
            {
                break;
            }
        }

        return Encoding.UTF8.GetString(reply, 0, length).TrimEnd('\0', '\n');
    }

    internal static ScanVerdict Parse(string reply)
    {
        var answer = reply.StartsWith("stream: ", StringComparison.Ordinal) ? reply["stream: ".Length..] : reply;
        if (answer == "OK")
        {
            return new ScanVerdict(ScanResult.Clean);
        }

        if (answer.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            return new ScanVerdict(ScanResult.Infected, answer[..^" FOUND".Length]);
        }

        if (answer.Contains(SizeLimitExceeded, StringComparison.Ordinal))
        {
            return new ScanVerdict(ScanResult.Skipped, "larger than clamd's StreamMaxLength");
        }

        throw new IOException($"clamd could not scan the file: {(answer.Length > 200 ? answer[..200] : answer)}");
    }

    private static Socket Connect(string address, out EndPoint endpoint)
    {
        if (address.StartsWith('/'))
        {
            endpoint = new UnixDomainSocketEndPoint(address);
            return new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }

        var separator = address.LastIndexOf(':');
        var host = address[..separator].Trim('[', ']');
        var port = int.Parse(address[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        endpoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
        return new Socket(SocketType.Stream, ProtocolType.Tcp);
    }
}
