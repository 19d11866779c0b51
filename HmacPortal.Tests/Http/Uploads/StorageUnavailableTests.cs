using System.Net;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>
/// The storage directory disappears while the server runs (removed, or its volume unmounted):
/// uploads are answered 503 with a problem body, readiness says why, and both recover once it is back.
/// </summary>
public sealed class StorageUnavailableTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new();
    private readonly HttpClient _client;

    public StorageUnavailableTests()
    {
        _client = _factory.CreateClient();
    }

    [Fact]
    public async Task Put_WhileTheStorageDirectoryIsGone_Is503ProblemWithRetryAfter_AndWorksOnceItIsBack()
    {
        using (var first = await _client.SendAsync(SignedUploads.SignedPut("gone/before.bin", SignedUploads.Body(10))))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        // Its volume unmounted from under a directory below the mount point: the directory is gone.
        var away = _factory.StoragePath + ".away";
        Directory.Move(_factory.StoragePath, away);

        using (var put = await _client.SendAsync(SignedUploads.SignedPut("gone/during.bin", SignedUploads.Body(10))))
        {
            var body = await put.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
            Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
            Assert.Contains("urn:hmacportal:problem:storage-unavailable", body, StringComparison.Ordinal);
            Assert.DoesNotContain(_factory.StoragePath, body, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), put.Headers.RetryAfter?.Delta);
        }

        using (var ready = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("storage directory does not exist", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(_factory.StoragePath), "the refused upload must not have recreated the storage directory");
        Directory.Move(away, _factory.StoragePath);

        using (var after = await _client.SendAsync(SignedUploads.SignedPut("gone/after.bin", SignedUploads.Body(10))))
        {
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        }

        using var readyAgain = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
