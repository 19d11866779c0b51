using System.Collections.Concurrent;
using System.Net;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Stability;

/// <summary>The server is killed with SIGKILL in the middle of work and started again on the same files.</summary>
public sealed class CrashTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public CrashTests()
    {
        _config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));
    }

    private string Storage => _dir.Combine("files");

    [Fact]
    public async Task Kill9_MidUpload_LeavesNothingUnderAnyName_AndTheRetryIsStored()
    {
        const long length = 8_000_000;
        var body = SignedUploads.Body(length);
        var target = $"/upload/crash/mid.bin?v={TestSigner.V(SignedUploads.Secret, "crash/mid.bin", length)}";
        await using (var server = await ServerProcess.StartAsync(_config))
        {
            await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
            await connection.SendAsync($"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n");
            Assert.Equal(100, (await connection.ReadHeadAsync()).Status);
            await connection.SendAsync(body[..3_000_000]);

            server.Crash();
            await server.WaitForExitAsync(Wait);
        }

        // The body went into an unnamed file, which the kernel freed with the process: no name to sweep.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Storage, "crash")));

        await using var restarted = await ServerProcess.StartAsync(_config);
        using var client = restarted.CreateClient();
        using (var get = await client.GetAsync(new Uri("upload/crash/mid.bin", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(Storage, "crash")));
        using var retry = await client.SendAsync(SignedUploads.Put("crash/mid.bin", target.Split('?')[1], body));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(body, await client.GetByteArrayAsync(new Uri("upload/crash/mid.bin", UriKind.Relative)));
    }

    [Fact]
    public async Task Kill9_UnderLoad_EveryAcknowledgedUploadSurvivesAndDiskAndRecordsAgree()
    {
        var acknowledged = new ConcurrentDictionary<string, byte[]>();
        await using (var server = await ServerProcess.StartAsync(_config))
        {
            using var client = server.CreateClient();
            var tenAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var next = -1;
            var workers = Enumerable.Range(0, 6).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < 200)
                {
                    var path = $"load/{i}.bin";
                    var body = SignedUploads.Body(50_000 + (i * 997), seed: i);
                    try
                    {
                        using var response = await client.SendAsync(SignedUploads.SignedPut(path, body));
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            acknowledged[path] = body;
                            if (acknowledged.Count >= 10)
                            {
                                tenAcknowledged.TrySetResult();
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                }
            }).ToList();

            await tenAcknowledged.Task.WaitAsync(Wait);
            server.Crash();
            await Task.WhenAll(workers).WaitAsync(Wait);
        }

        await using var restarted = await ServerProcess.StartAsync(_config);
        using var check = restarted.CreateClient();
        foreach (var (path, body) in acknowledged)
        {
            Assert.Equal(body, await check.GetByteArrayAsync(new Uri("upload/" + path, UriKind.Relative)));
        }

        var onDisk = Directory.GetFiles(Path.Combine(Storage, "load")).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(onDisk, name => name!.StartsWith(".hmacportal", StringComparison.Ordinal));
        foreach (var name in onDisk)
        {
            // A file that reached its final name was complete: it is recorded (now) and served whole.
            using var head = await check.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"upload/load/{name}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(new FileInfo(Path.Combine(Storage, "load", name!)).Length, head.Content.Headers.ContentLength);
        }
    }

    public void Dispose() => _dir.Dispose();
}
