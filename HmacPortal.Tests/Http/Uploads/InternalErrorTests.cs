using System.Net;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>An unexpected fault inside the server: a problem body for API calls, and never the exception's text.</summary>
public sealed class InternalErrorTests
{
    private const string Secret = "/srv/internal/path and a stack trace";

    [Fact]
    public async Task Put_WhenTheMetadataStoreFails_Is500ProblemWithoutExceptionText()
    {
        using var factory = new HmacPortalFactory();
        using var failing = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IMetadataStore>(new FailingStore())));
        using var client = failing.CreateClient();

        using var put = await client.SendAsync(SignedUploads.SignedPut("err/a.bin", SignedUploads.Body(10)));
        var body = await put.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:hmacportal:problem:internal", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    private sealed class FailingStore : IMetadataStore
    {
        public Task RecordAsync(FileRecord record, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<FileRecord?> GetAsync(string path, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<IReadOnlySet<string>> DeleteManyAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<string>> ListExpiredAsync(DateTimeOffset now, DateTimeOffset? createdBefore, int take, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<long> UsedBytesAsync(string owner, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<long> TotalSizeAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task<bool> SetExpiryAsync(string path, DateTimeOffset? expires, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        public Task CountDownloadsAsync(IReadOnlyCollection<DownloadTally> tallies, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<string>> ListUnprocessedAsync(DateTimeOffset createdBefore, string? after, int take, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

        public Task<bool> SetProcessedAsync(string path, ProcessingState state, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);

        // Start-up asks whether any file is recorded (and reconciles through ListPathsAsync): both answer, so the host starts.
        public Task<FilePage> QueryAsync(FileQuery query, CancellationToken cancellationToken) => Task.FromResult(new FilePage([], 0));

        public async IAsyncEnumerable<(string Path, string StoredPath, long Size, bool Quarantined)> ListPathsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
