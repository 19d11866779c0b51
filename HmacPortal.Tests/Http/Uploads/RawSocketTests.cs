using System.Globalization;
using System.Text;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>Uploads over a real socket to a real server process: what only Kestrel and a raw client can show.</summary>
public sealed class RawSocketTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private ServerProcess Server => fixture.Server;

    private static string PutHead(string target, long length, string extra = "") =>
        $"PUT {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length.ToString(CultureInfo.InvariantCulture)}\r\n{extra}\r\n";

    private static string Signed(string path, long length) =>
        $"/upload/{TestSigner.ProsodyEncode(path)}?v={TestSigner.V(SignedUploads.Secret, path, length)}";

    [Theory]
    [InlineData("/upload/u/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/upload/u/..%2f..%2fetc%2fpasswd")]
    [InlineData("/upload/u/a%00.jpg")]
    [InlineData("/upload/u/%c0%ae%c0%ae/x")]
    [InlineData("/upload/../state/metadata.db")]
    [InlineData("/upload/u/.hmacportal-tmp-x")]
    public async Task Put_HostileRawTarget_Is4xxAndWritesNothing(string target)
    {
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);

        await connection.SendAsync(PutHead(target + "?v=" + new string('0', 64), 3) + "abc");
        var (status, _) = await connection.ReadHeadAsync();

        // Encoded traversal reaches the receiver and is refused with 400; a literal '..' is resolved by
        // Kestrel before routing, lands outside the upload route and is refused there (405).
        Assert.True(status is 400 or 405, $"{target} answered {status}");
        Assert.False(File.Exists(Path.Combine(fixture.StoragePath, "..", "etc", "passwd")));
        Assert.DoesNotContain(Directory.GetFiles(fixture.StoragePath, "*", SearchOption.AllDirectories), f => f.Contains("passwd", StringComparison.Ordinal) || f.Contains("metadata", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_TraversalToMetadataDatabase_IsRefused()
    {
        foreach (var target in new[] { "/upload/..%2fstate%2fmetadata.db", "/upload/%2e%2e/state/metadata.db", "/download/../state/metadata.db" })
        {
            await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);
            await connection.SendAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");
            var (status, _) = await connection.ReadHeadAsync();
            Assert.True(status is 400 or 404, $"{target} answered {status}");
        }
    }

    [Fact]
    public async Task Put_RawUtf8InTarget_IsRefusedByTheServerBeforeAnyWrite()
    {
        // Kestrel accepts only ASCII request targets; clients send the percent-encoded form of the same path.
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);

        await connection.SendAsync([.. Encoding.ASCII.GetBytes("PUT /upload/u/K"), .. Encoding.UTF8.GetBytes("ä"), .. Encoding.ASCII.GetBytes("se.jpg HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx")]);
        var (status, _) = await connection.ReadHeadAsync();

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Put_Chunked_Is411()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);

        await connection.SendAsync($"PUT {Signed("u/chunked.bin", 3)} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        var (status, headers) = await connection.ReadHeadAsync();

        Assert.Equal(411, status);
        Assert.Equal("application/problem+json", headers["content-type"]);
    }

    [Fact]
    public async Task Put_RefusedWithExpectContinue_IsAnsweredWithoutTheBody()
    {
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);

        await connection.SendAsync(PutHead("/upload/u/never.bin?v=" + new string('0', 64), 10_000_000, "Expect: 100-continue\r\n"));
        var (status, _) = await connection.ReadHeadAsync();

        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Put_AcceptedWithExpectContinue_GetsContinueThenCreated()
    {
        var body = SignedUploads.Body(5000);
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);

        await connection.SendAsync(PutHead(Signed("u/continue.bin", body.Length), body.Length, "Expect: 100-continue\r\n"));
        var (interim, _) = await connection.ReadHeadAsync();
        await connection.SendAsync(body);
        var (final, _) = await connection.ReadHeadAsync();

        Assert.Equal(100, interim);
        Assert.Equal(201, final);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(fixture.StoragePath, "u", "continue.bin")));
    }

    [Fact]
    public async Task Put_ClientAbortsMidBody_LeavesNoFileAndNoTempFile()
    {
        const long length = 4_000_000;
        var path = "abort/half.bin";
        await using (var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress))
        {
            // The 100 Continue proves the receiver is streaming the body when the client vanishes.
            await connection.SendAsync(PutHead(Signed(path, length), length, "Expect: 100-continue\r\n"));
            Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
            await connection.SendAsync(SignedUploads.Body(1_000_000));
            connection.Abort();
        }

        await Server.WaitForOutputAsync("Upload of abort/half.bin from", Wait);

        Assert.False(File.Exists(Path.Combine(fixture.StoragePath, "abort", "half.bin")));
        Assert.Empty(Directory.Exists(Path.Combine(fixture.StoragePath, "abort")) ? Directory.GetFiles(Path.Combine(fixture.StoragePath, "abort")) : []);
        using var client = Server.CreateClient();
        using var get = await client.GetAsync(new Uri("upload/abort/half.bin", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Put_BodyShorterThanContentLength_ThenClose_LeavesNothing()
    {
        const long length = 1000;
        await using (var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress))
        {
            await connection.SendAsync(PutHead(Signed("short/body.bin", length), length, "Expect: 100-continue\r\n"));
            Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
            await connection.SendAsync(SignedUploads.Body(999));
            connection.Abort();
        }

        await Server.WaitForOutputAsync("Upload of short/body.bin from", Wait);

        Assert.Empty(Directory.Exists(Path.Combine(fixture.StoragePath, "short")) ? Directory.GetFiles(Path.Combine(fixture.StoragePath, "short")) : []);
    }

    [Fact]
    public async Task Put_ClientStallingBelowMinimumRate_IsCutOffAndLeavesNothing()
    {
        // [timeouts] min_request_rate (1KB/s here) applies after a grace period; a client that stops
        // sending is disconnected rather than holding a worker and a temp file for ever.
        const long length = 1_000_000;
        await using var connection = await RawHttpConnection.OpenAsync(Server.BaseAddress);
        await connection.SendAsync(PutHead(Signed("stall/slow.bin", length), length, "Expect: 100-continue\r\n"));
        Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
        await connection.SendAsync(SignedUploads.Body(10));

        await Server.WaitForOutputAsync("Upload of stall/slow.bin from", TimeSpan.FromSeconds(60));

        Assert.True(await connection.IsClosedByServerAsync());
        Assert.Empty(Directory.Exists(Path.Combine(fixture.StoragePath, "stall")) ? Directory.GetFiles(Path.Combine(fixture.StoragePath, "stall")) : []);
    }
}
