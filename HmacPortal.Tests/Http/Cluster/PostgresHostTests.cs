using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Cluster;

/// <summary>The whole server on PostgreSQL, and what it does while PostgreSQL is down.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresHostTests : IDisposable
{
    private readonly PostgresServer _server;
    private readonly HmacPortalFactory _factory;
    private readonly HttpClient _client;

    public PostgresHostTests(PostgresServer server)
    {
        _server = server;
        _factory = new HmacPortalFactory(
            $"[database]\nengine = \"postgresql\"\nconnection_string = \"{server.NewDatabase()}\"\n\n[uploads]\nanonymous_resumable = true\n");
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<HttpStatusCode> PutAsync(string path, byte[] body)
    {
        using var response = await _client.SendAsync(SignedUploads.SignedPut(path, body, "application/octet-stream"));
        return response.StatusCode;
    }

    private static HttpRequestMessage Tus(HttpMethod method, string url, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        configure?.Invoke(request);
        return request;
    }

    /// <summary>Repeats <paramref name="put"/> until it stores (the breaker lets a request through again after its cool-down).</summary>
    private static async Task<HttpStatusCode> UntilStoredAsync(Func<Task<HttpStatusCode>> put)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var status = await put();
        while (status != HttpStatusCode.Created && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
            status = await put();
        }

        return status;
    }

    [Fact]
    public async Task Uploads_AreRecordedInPostgres()
    {
        var body = SignedUploads.Body(300);
        Assert.Equal(HttpStatusCode.Created, await PutAsync("pg/one.bin", body));

        Assert.Equal(DatabaseEngine.PostgreSql, _factory.Services.GetRequiredService<Database>().Engine);
        var record = await _factory.Services.GetRequiredService<IMetadataStore>().GetAsync("pg/one.bin", CancellationToken.None);
        Assert.Equal(300, record!.Size);
        Assert.Equal(body, await _client.GetByteArrayAsync(new Uri("/upload/pg/one.bin", UriKind.Relative)));
    }

    [Fact]
    public async Task WhilePostgresIsDown_UploadsGet503AndLeaveNothing_DownloadsGoOn_AndUploadsResumeWhenItIsBack()
    {
        var kept = SignedUploads.Body(1000, seed: 2);
        Assert.Equal(HttpStatusCode.Created, await PutAsync("pg/kept.bin", kept));

        // A tus upload with all but its last bytes in before the outage.
        var data = SignedUploads.Body(64, seed: 3);
        string url;
        using (var created = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", r =>
        {
            r.Headers.Add("Upload-Length", "64");
            r.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("late.bin")));
        })))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            url = created.Headers.Location!.ToString();
        }

        _server.Stop();
        try
        {
            using var refused = await _client.SendAsync(SignedUploads.SignedPut("pg/refused.bin", SignedUploads.Body(10), "application/octet-stream"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
            Assert.Equal("urn:hmacportal:problem:database-unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
            Assert.False(File.Exists(Path.Combine(_factory.StoragePath, "pg", "refused.bin")));

            Assert.Equal(kept, await _client.GetByteArrayAsync(new Uri("/upload/pg/kept.bin", UriKind.Relative)));
            using (var missing = await _client.GetAsync(new Uri("/upload/pg/refused.bin", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            using (var ready = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                Assert.Equal("Unhealthy", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            }

            // The last bytes arrive; the commit cannot be recorded, so the upload is kept whole for later.
            using var last = await _client.SendAsync(Tus(HttpMethod.Patch, url, r =>
            {
                r.Headers.Add("Upload-Offset", "0");
                r.Content = new ByteArrayContent(data);
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream");
            }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, last.StatusCode);
            Assert.Empty(Directory.EnumerateFiles(_factory.StoragePath, "late.bin", SearchOption.AllDirectories));
        }
        finally
        {
            _server.Start();
        }

        Assert.Equal(HttpStatusCode.Created, await UntilStoredAsync(() => PutAsync($"pg/after-{Guid.NewGuid():N}.bin", SignedUploads.Body(10))));

        // The client looks where it stands: every byte is in, so the upload is committed now.
        using var head = await _client.SendAsync(Tus(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("64", head.Headers.GetValues("Upload-Offset").Single());
        var fileUrl = head.Headers.GetValues("Upload-File-Url").Single();
        Assert.Equal(data, await _client.GetByteArrayAsync(new Uri(fileUrl, UriKind.RelativeOrAbsolute)));

        using var healthy = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }
}
