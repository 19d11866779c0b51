using System.Net;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Processing;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Processing;

/// <summary>The host's own workers and job server doing the post-processing of real PUTs.</summary>
public sealed class PostProcessingHostTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly HmacPortalFactory _factory = new("[deduplication]\nenabled = true\n\n[workers]\nnumworkers = 2\n", server: "metricsenabled = true");
    private readonly HttpClient _client;

    public PostProcessingHostTests()
    {
        _client = _factory.CreateClient();
    }

    private async Task<FileRecord> ProcessedAsync(string path)
    {
        var metadata = _factory.Services.GetRequiredService<IMetadataStore>();
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            if (await metadata.GetAsync(path, timeout.Token) is { Processed: not null } record)
            {
                return record;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task IdenticalPuts_EndUpSharingOneInode()
    {
        var body = SignedUploads.Body(100_000, seed: 21);
        using (var first = await _client.SendAsync(SignedUploads.SignedPut("a/one.bin", body)))
        using (var second = await _client.SendAsync(SignedUploads.SignedPut("b/two.bin", body)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        Assert.True((await ProcessedAsync("a/one.bin")).Deduplicated);
        Assert.True((await ProcessedAsync("b/two.bin")).Deduplicated);
        var one = FileLinks.Identify(Path.Combine(_factory.StoragePath, "a", "one.bin"))!.Value;
        Assert.True(one.IsSameFile(FileLinks.Identify(Path.Combine(_factory.StoragePath, "b", "two.bin"))!.Value));
        Assert.Equal(body, await _client.GetByteArrayAsync(new Uri("/upload/b/two.bin", UriKind.Relative)));
        var metrics = await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("files_deduplicated_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("hmacportal_dedup_bytes_saved_total 100000", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkHandedToTheJobServer_IsDone()
    {
        var metadata = _factory.Services.GetRequiredService<IMetadataStore>();
        await metadata.RecordAsync(new FileRecord("h/handed.bin", "h/handed.bin", 10, "application/octet-stream", null, null, "test", null, _factory.Clock.GetUtcNow(), null), CancellationToken.None);

        _factory.Services.GetRequiredService<IProcessingOverflow>().Hand("h/handed.bin");

        Assert.False((await ProcessedAsync("h/handed.bin")).Deduplicated);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
