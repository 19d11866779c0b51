using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Cluster;

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<RedisServer>
{
    public const string Name = "Cluster";
}

/// <summary>
/// Two HmacPortal processes on one shared volume, PostgreSQL and Redis, behind a private nginx
/// that spreads requests round-robin: the deployment the README describes, run for real.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterProcessTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<ServerProcess> _nodes = [];
    private NginxProcess? _nginx;
    private HttpClient _client = null!;
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        _database = postgres.NewDatabase();
        var shared = redis.Toml("cluster" + Guid.NewGuid().ToString("N")[..8]);
        for (var node = 0; node < 2; node++)
        {
            var config = _dir.Write($"node{node}.toml", $"""
                [server]
                listen_address = "0"
                bind_ip = "127.0.0.1"
                storage_path = "{_dir.Path}/shared/files"
                data_path = "{_dir.Path}/shared/state"
                trusted_proxies = ["127.0.0.1"]

                [security]
                secret = "{SignedUploads.Secret}"

                [uploads]
                anonymous_resumable = true

                [rate_limit]
                enabled = true
                requests_per_minute = 1
                burst = 4
                exempt = ["198.51.100.0/24"]

                [database]
                engine = "postgresql"
                connection_string = "{_database}"

                [jobs]
                storage = "postgresql"
                poll_interval = "1s"
                disk_watch = "*/2 * * * * *"

                {shared}
                """);
            _nodes.Add(await ServerProcess.StartAsync(config));
        }

        _nginx = new NginxProcess(_nodes.Select(n => n.BaseAddress));
        _client = new HttpClient { BaseAddress = _nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The nodes stop first (xUnit calls this before <see cref="Dispose"/>), then their shared volume goes.</summary>
    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _nginx?.Dispose();
        _dir.Dispose();
    }

    private static HttpRequestMessage Tus(HttpMethod method, string url, string client, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("X-Forwarded-For", client);
        configure?.Invoke(request);
        return request;
    }

    private async Task<(HttpStatusCode Status, string Node)> PutAsync(string path, string client)
    {
        using var request = SignedUploads.SignedPut(path, SignedUploads.Body(64, seed: path.Length), "application/octet-stream");
        request.Headers.Add("X-Forwarded-For", client);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, Upstream(response));
    }

    private static string Upstream(HttpResponseMessage response) => response.Headers.GetValues("X-Upstream").Single();

    private async Task<string> RedisStatusAsync(ServerProcess node)
    {
        using var client = node.CreateClient();
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString()!;
    }

    [Fact]
    public async Task ATusUpload_WhosePatchesAlternateBetweenNodes_IsWhole()
    {
        var data = SignedUploads.Body(5 << 20, seed: 9);
        const string client = "198.51.100.10";
        string url;
        var nodes = new HashSet<string>();
        using (var created = await _client.SendAsync(Tus(HttpMethod.Post, "/files/", client, r =>
        {
            r.Headers.Add("Upload-Length", data.Length.ToString(CultureInfo.InvariantCulture));
            r.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("spread.bin")));
        })))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            url = new Uri(_nginx!.BaseAddress, created.Headers.Location!).ToString();
            nodes.Add(Upstream(created));
        }

        const int chunk = 1 << 20;
        string? fileUrl = null;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            using var patch = await _client.SendAsync(Tus(HttpMethod.Patch, url, client, r =>
            {
                r.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
                r.Content = new ByteArrayContent(data, offset, Math.Min(chunk, data.Length - offset));
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream");
            }));
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
            nodes.Add(Upstream(patch));
            fileUrl = patch.Headers.TryGetValues(HmacPortal.Endpoints.Resumable.TusEndpoints.FileUrlHeader, out var values) ? values.Single() : fileUrl;
        }

        Assert.Equal(2, nodes.Count);
        Assert.NotNull(fileUrl);
        var stored = await _client.GetByteArrayAsync(new Uri(new Uri(_nginx.BaseAddress, fileUrl!).PathAndQuery, UriKind.Relative));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), Convert.ToHexStringLower(SHA256.HashData(stored)));
    }

    [Fact]
    public async Task TheRateLimit_HoldsAcrossTheNodes()
    {
        var answers = new List<(HttpStatusCode Status, string Node)>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await PutAsync($"limited/{i}.bin", "203.0.113.50"));
        }

        Assert.Equal(2, answers.Select(a => a.Node).Distinct().Count());
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, (HttpStatusCode)429, (HttpStatusCode)429],
            answers.Select(a => a.Status));
    }

    [Fact]
    public async Task ARecurringJob_RunsOncePerTick_AcrossBothNodes()
    {
        var storage = new Hangfire.PostgreSql.PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(_database, new Hangfire.PostgreSql.PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false }),
            new Hangfire.PostgreSql.PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false });
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((storage.GetMonitoringApi().Servers().Count < 2 || JobStorageChecks.Occurrences(storage, RecurringJobs.DiskWatchId).Count < 5)
            && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(250);
        }

        Assert.Equal(2, storage.GetMonitoringApi().Servers().Count);
        var occurrences = JobStorageChecks.Occurrences(storage, RecurringJobs.DiskWatchId);
        Assert.True(occurrences.Count >= 5, $"only {occurrences.Count} runs in {waited.Elapsed}");
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
    }

    [Fact]
    public async Task WhenRedisStopsAndComesBack_UploadsKeepWorking_AndTheNodesSayTheyAreDegradedMeanwhile()
    {
        Assert.Equal(HttpStatusCode.Created, (await PutAsync("redis/before.bin", "198.51.100.20")).Status);

        redis.Stop();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(HttpStatusCode.Created, (await PutAsync($"redis/during-{i}.bin", "198.51.100.20")).Status);
            }

            foreach (var node in _nodes)
            {
                Assert.Equal("Degraded", await RedisStatusAsync(node));
            }
        }
        finally
        {
            redis.Start();
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        foreach (var node in _nodes)
        {
            while (await RedisStatusAsync(node) != "Healthy")
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "a node did not share again within 30 s of Redis coming back");
                await Task.Delay(200);
            }
        }

        Assert.Equal(HttpStatusCode.Created, (await PutAsync("redis/after.bin", "198.51.100.20")).Status);
    }
}
