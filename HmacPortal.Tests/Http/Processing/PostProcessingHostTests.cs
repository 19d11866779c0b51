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
    private readonly HmacPortalFactory _factory = new("[deduplication]\nenabled = true\n\n[workers]\nnumworkers = 2\n", server: "metricsenabled = true");
    private readonly HttpClient _client;

    public PostProcessingHostTests()
    {
        _client = _factory.CreateClient();
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

        Assert.True((await _factory.ProcessedAsync("a/one.bin")).Deduplicated);
        Assert.True((await _factory.ProcessedAsync("b/two.bin")).Deduplicated);
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

        Assert.False((await _factory.ProcessedAsync("h/handed.bin")).Deduplicated);
    }

    [Fact]
    public async Task UploadedImage_HasAThumbnail_ThatGoesWithTheFile()
    {
        var png = TestImages.Encode(1000, 500, SkiaSharp.SKEncodedImageFormat.Png);
        using (var put = await _client.SendAsync(SignedUploads.SignedPut("i/picture.png", png, "image/png")))
        using (var text = await _client.SendAsync(SignedUploads.SignedPut("i/notes.txt", SignedUploads.Body(10), "text/plain")))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(HttpStatusCode.Created, text.StatusCode);
        }

        Assert.True((await _factory.ProcessedAsync("i/picture.png")).HasThumbnail);
        Assert.False((await _factory.ProcessedAsync("i/notes.txt")).HasThumbnail);

        using (var thumbnail = await _client.GetAsync(new Uri("/upload/i/picture.png?thumbnail=true", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
            Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
            Assert.Equal((320, 160, SkiaSharp.SKEncodedImageFormat.Jpeg), TestImages.Describe(await thumbnail.Content.ReadAsByteArrayAsync()));
        }

        using (var none = await _client.GetAsync(new Uri("/upload/i/notes.txt?thumbnail=true", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        }

        using (var wrong = await _client.GetAsync(new Uri("/upload/i/picture.png?thumbnail=yes", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        Assert.Equal(png, await _client.GetByteArrayAsync(new Uri("/upload/i/picture.png?thumbnail=false", UriKind.Relative)));
        var catalog = _factory.Services.GetRequiredService<FileCatalog>();
        Assert.True(await catalog.DeleteAsync("i/picture.png", "test", CancellationToken.None));
        Assert.Empty(Directory.GetFiles(Path.Combine(_factory.StoragePath, ".hmacportal-thumbs"), "*", SearchOption.AllDirectories));
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
