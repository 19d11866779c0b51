using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Metrics;

public sealed class MetricsTests
{
    private static async Task<string> ScrapeAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Scrape_WhileTheStorageIsUnavailable_StillAnswers_AndSaysSo()
    {
        // Prometheus must keep its figures exactly when the storage volume is gone.
        using var factory = new HmacPortalFactory(server: "metricsenabled = true");
        using var client = factory.CreateClient();
        var before = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Directory.Move(factory.StoragePath, factory.StoragePath + ".unmounted");
        Directory.CreateDirectory(factory.StoragePath);

        using var during = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await during.Content.ReadAsStringAsync();
        Directory.Delete(factory.StoragePath);
        using var gone = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Directory.Move(factory.StoragePath + ".unmounted", factory.StoragePath);
        var after = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("hmacportal_storage_available 1", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Contains("hmacportal_storage_available 0", text, StringComparison.Ordinal);
        Assert.Contains("uploads_total", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, gone.StatusCode);
        Assert.Contains("hmacportal_storage_available 0", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("hmacportal_storage_available 1", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_AfterRealTraffic_ShowsTheGoServersMetricsMoving()
    {
        using var factory = new HmacPortalFactory("[uploads]\nanonymous_resumable = true\n", server: "metricsenabled = true\nmetrics_token = \"scrape-token-0123456789\"");
        using var client = factory.CreateClient();

        using (await client.SendAsync(SignedUploads.SignedPut("m/ok.bin", SignedUploads.Body(5000))))
        {
        }

        using (await client.SendAsync(SignedUploads.Put("m/bad.bin", "v=" + new string('0', 64), SignedUploads.Body(10))))
        {
        }

        Assert.Equal(5000, (await client.GetByteArrayAsync(new Uri("/upload/m/ok.bin", UriKind.Relative))).Length);
        using (await client.GetAsync(new Uri("/upload/m/missing.bin", UriKind.Relative)))
        {
        }

        using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "3");
        create.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("t.bin")));
        create.Content = new ByteArrayContent([1, 2, 3]);
        create.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/offset+octet-stream");
        using (var created = await client.SendAsync(create))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var text = await ScrapeAsync(client, "scrape-token-0123456789");

        Assert.Contains("uploads_total{protocol=\"v\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("uploads_total{protocol=\"tus\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("upload_errors_total{protocol=\"v\",status=\"403\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("upload_size_bytes_sum 5003", text, StringComparison.Ordinal);
        Assert.Contains("upload_duration_seconds_count 2", text, StringComparison.Ordinal);
        Assert.Contains("downloads_total 1", text, StringComparison.Ordinal);
        Assert.Contains("download_size_bytes_sum 5000", text, StringComparison.Ordinal);
        Assert.Contains("download_errors_total{status=\"404\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("download_duration_seconds_count 1", text, StringComparison.Ordinal);
        Assert.Contains("http_requests_received_total{code=\"201\",method=\"PUT\"", text, StringComparison.Ordinal);
        Assert.Contains("active_connections_total", text, StringComparison.Ordinal);

        // The process's own figures, for memory and descriptor alerts.
        Assert.True(Value(text, "process_working_set_bytes") > 1 << 20);
        Assert.True(Value(text, "dotnet_total_memory_bytes") > 1 << 20);
        Assert.True(Value(text, "process_open_handles") > 0);
        Assert.True(Value(text, "process_num_threads") > 0);
        Assert.Matches(@"(?m)^dotnet_collection_count_total\{generation=""2""\} \d+", text);
    }

    private static double Value(string exposition, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(exposition, $@"(?m)^{name} (\S+)$");
        Assert.True(match.Success, $"{name} is not exported");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Scrape_WithoutTheToken_Is401()
    {
        using var factory = new HmacPortalFactory(server: "metricsenabled = true\nmetrics_token = \"scrape-token-0123456789\"");
        using var client = factory.CreateClient();

        using var none = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "scrape-token-0123456788");
        using var wrongResponse = await client.SendAsync(wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
    }

    [Fact]
    public async Task Metrics_AreOffByDefault()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MetricsPort_ServesMetricsThereAndNowhereElse()
    {
        using var dir = new TempDirectory();
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = dir.Write("config.toml", TestFiles.MinimalConfig(dir.Path, server: $"metricsenabled = true\nmetricsport = \":{port.ToString(CultureInfo.InvariantCulture)}\""));
        await using var server = await ServerProcess.StartAsync(config);
        using var client = new HttpClient();

        using var onMetricsPort = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        using var onMainPort = await client.GetAsync(new Uri(server.BaseAddress, "metrics"));

        Assert.Equal(HttpStatusCode.OK, onMetricsPort.StatusCode);

        // The scrape's own connection is open while the gauge is read, so it is at least 1.
        var gauge = (await onMetricsPort.Content.ReadAsStringAsync()).Split('\n').Single(l => l.StartsWith("active_connections_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(gauge.Split(' ')[1], CultureInfo.InvariantCulture) >= 1, gauge);
        Assert.Equal(HttpStatusCode.NotFound, onMainPort.StatusCode);
    }

    [Fact]
    public async Task GrafanaDashboard_UsesOnlyExportedMetrics_AndTheServersOwnFiguresMove()
    {
        const string owner = "45a6b241a242c97f0492d382c390dfa335aac986";
        using var factory = new HmacPortalFactory(
            "[quotas]\nenabled = true\ndefault = \"6KB\"\n\n[rate_limit]\nenabled = true\nburst = 3\nrequests_per_minute = 1\n\n[deduplication]\nenabled = true\n",
            server: "metricsenabled = true");
        factory.Peer = IPAddress.Parse("198.51.100.77");
        using var client = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var put = await client.SendAsync(SignedUploads.SignedPut($"{owner}/{i}/f.bin", SignedUploads.Body(5000), "application/octet-stream"));
            statuses.Add(put.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.RequestEntityTooLarge, (HttpStatusCode)429], statuses);
        Assert.Equal(5000, (await client.GetByteArrayAsync(new Uri($"/upload/{owner}/0/f.bin", UriKind.Relative))).Length);

        // The stored file's post-processing runs on the host's workers.
        string text;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            do
            {
                await Task.Delay(20, timeout.Token);
                text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), timeout.Token);
            }
            while (!text.Contains("hmacportal_processing_processed_total 1", StringComparison.Ordinal));
        }

        Assert.Contains("hmacportal_quota_refusals_total 2", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_rate_limited_total 1", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_bytes_received_total 5000", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_bytes_sent_total 5000", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_stored_bytes 5000", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_database_available 1", text, StringComparison.Ordinal);

        // A single node has no Redis to lose, so it does not say it shares nothing.
        Assert.DoesNotMatch(@"(?m)^hmacportal_redis_shared ", text);
        Assert.Contains("hmacportal_uploads_in_progress 0", text, StringComparison.Ordinal);
        Assert.Matches(@"hmacportal_storage_free_bytes [1-9]", text);
        Assert.Contains("hmacportal_processing_queue_depth 0", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_processing_queue_capacity 100", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_processing_workers 2", text, StringComparison.Ordinal);
        Assert.Contains("hmacportal_processing_overflowed_total 0", text, StringComparison.Ordinal);

        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("docs", "grafana", "hmacportal-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        string[] notMetrics = ["sum", "by", "rate", "increase", "histogram_quantile", "le", "code", "protocol", "status", "m", "h", "s"];
        var used = expressions.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, "[a-z][a-z_]*").Select(m => m.Value))
            .Where(name => !notMetrics.Contains(name)).Select(name => name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^"_bucket".Length] : name).Distinct().ToList();
        Assert.True(used.Count >= 15, string.Join(", ", used));
        Assert.All(used, name => Assert.Contains($"# TYPE {name} ", text, StringComparison.Ordinal));
    }
}
