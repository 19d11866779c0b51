using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace HmacPortal.Bench;

/// <summary>
/// A long mixed load on one HmacPortal process: PUTs, tus uploads, GETs, HEADs, deletes through the
/// admin API, expiry of everything older than a minute, and a config reload every 30 seconds, from
/// many clients at once. Every few seconds it records the server's memory, open file descriptors,
/// threads, temp files and request latency, and from the server's own /metrics its managed heap
/// and gen-2 collections and what is stored. It fails when a request fails unexpectedly, when the
/// server logs an error, when a temp file is left once the load stops, or when memory, the managed
/// heap, descriptors, threads or the stored bytes (which expiry must keep level) keep growing (the
/// last third of the run against the middle third).
/// </summary>
internal static class Soak
{
    private const string ApiToken = "soak-admin-token-0123456789abcdef";
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string serverDll, TimeSpan duration, int concurrency)
    {
        var work = Directory.CreateTempSubdirectory("hmacportal-soak-").FullName;
        try
        {
            await using var server = await HmacPortalTarget.StartAsync(work, serverDll, $"""
                [admin]
                api_token = "{ApiToken}"

                [jobs]
                expiry = "* * * * *"
                sweep = "* * * * *"

                """, serverToml: "metricsenabled = true");
            var baseConfig = await File.ReadAllTextAsync(server.ConfigPath);
            await File.WriteAllTextAsync(server.ConfigPath, baseConfig.Replace("[server]\n", "[server]\nfilettlenabled = true\nfilettl = \"1m\"\n", StringComparison.Ordinal));
            baseConfig = await File.ReadAllTextAsync(server.ConfigPath);
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = server.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };

            var state = new LoadState();
            var deadline = Stopwatch.StartNew();
            var samples = new List<Sample>();
            using var scraper = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var workers = Enumerable.Range(0, concurrency).Select(i => WorkAsync(client, server, state, i, duration, deadline)).ToList();
            var reloads = 0;
            while (deadline.Elapsed < duration)
            {
                await Task.Delay(SampleEvery);
                samples.Add(await Sample.TakeAsync(server, scraper, work, state, deadline.Elapsed));
                if (deadline.Elapsed.TotalSeconds >= (reloads + 1) * 30)
                {
                    reloads++;
                    await File.WriteAllTextAsync(server.ConfigPath, baseConfig + $"\n# reload {reloads}\n");
                }
            }

            await Task.WhenAll(workers);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var leftTemp = CountTempFiles(work);

            Console.WriteLine("| minute | requests | failures | p50 ms | p95 ms | RSS MiB | heap MiB | gen-2 GCs | fds | threads | temp files | stored MiB | slowest scrape ms |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var minute in samples.GroupBy(s => (int)s.At.TotalMinutes))
            {
                var last = minute.Last();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {minute.Key + 1} | {minute.Sum(s => s.Requests)} | {minute.Sum(s => s.Failures)} | {minute.Average(s => s.P50):0.0} | {minute.Max(s => s.P95):0.0} | {last.Rss >> 20} | {HeapMiB(minute):0} | {last.Gen2} | {last.Fds} | {last.Threads} | {last.TempFiles} | {StoredMiB(minute):0} | {minute.Max(s => s.ScrapeMs):0} |"));
            }

            var verdicts = Judge(samples, state, leftTemp);
            if (server.Errors > 0)
            {
                verdicts.Add($"the server logged {server.Errors} errors");
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{state.Total} requests in {duration.TotalMinutes:0.#} min from {concurrency} clients, {state.Failures.Count} unexpected failures, {reloads} config reloads, {leftTemp} temp files left"));
            foreach (var failure in state.Failures.Take(10))
            {
                Console.WriteLine($"failure: {failure}");
            }

            Console.WriteLine($"the server logged {server.Warnings} warnings and {server.Errors} errors");
            foreach (var line in server.FirstLogged)
            {
                Console.WriteLine($"  {line}");
            }

            foreach (var verdict in verdicts)
            {
                Console.WriteLine(verdict);
            }

            Console.WriteLine(verdicts.Count == 0 ? "soak: PASSED" : "soak: FAILED");
            return verdicts.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The mean managed heap of the samples whose scrape succeeded; NaN (never judged as growth) when none did.</summary>
    private static double HeapMiB(IEnumerable<Sample> samples) => MeanMiB(samples.Select(s => s.Heap));

    /// <summary>The mean of what is stored (files the TTL has not expired yet), over the samples whose scrape succeeded.</summary>
    private static double StoredMiB(IEnumerable<Sample> samples) => MeanMiB(samples.Select(s => s.Stored));

    private static double MeanMiB(IEnumerable<double> bytes) =>
        bytes.Where(b => !double.IsNaN(b)).Select(b => b / 1048576.0).DefaultIfEmpty(double.NaN).Average();

    private static List<string> Judge(List<Sample> samples, LoadState state, int leftTemp)
    {
        var verdicts = new List<string>();
        if (!state.Failures.IsEmpty)
        {
            verdicts.Add($"{state.Failures.Count} requests failed unexpectedly");
        }

        if (leftTemp > 0)
        {
            verdicts.Add($"{leftTemp} temp files were left after the load stopped");
        }

        var unscraped = samples.Count(s => double.IsNaN(s.Heap));
        if (unscraped > 0)
        {
            verdicts.Add($"{unscraped} scrapes of /metrics failed or took longer than 30 s");
        }

        if (samples.Count >= 6)
        {
            var third = samples.Count / 3;
            var middle = samples.Skip(third).Take(third).ToList();
            var last = samples.Skip(2 * third).ToList();
            Grows("RSS (MiB)", middle.Average(s => s.Rss / 1048576.0), last.Average(s => s.Rss / 1048576.0), relative: 0.25, absolute: 40);
            Grows("managed heap (MiB)", HeapMiB(middle), HeapMiB(last), relative: 0.25, absolute: 40);

            // Everything expires a minute after upload, so what is stored must level off.
            Grows("stored files (MiB), which expiry should keep level", StoredMiB(middle), StoredMiB(last), relative: 0.25, absolute: 256);
            Grows("open file descriptors", middle.Average(s => s.Fds), last.Average(s => s.Fds), relative: 0.25, absolute: 20);
            Grows("threads", middle.Average(s => s.Threads), last.Average(s => s.Threads), relative: 0.25, absolute: 10);
        }

        return verdicts;

        void Grows(string what, double before, double after, double relative, double absolute)
        {
            if (after > before * (1 + relative) && after - before > absolute)
            {
                verdicts.Add(string.Create(CultureInfo.InvariantCulture, $"{what} kept growing: {before:0.0} in the middle third, {after:0.0} in the last"));
            }
        }
    }

    private static async Task WorkAsync(HttpClient client, HmacPortalTarget server, LoadState state, int worker, TimeSpan duration, Stopwatch clock)
    {
        var random = new Random(worker);
        var n = 0;
        while (clock.Elapsed < duration)
        {
            n++;
            var roll = random.Next(100);
            var started = Stopwatch.GetTimestamp();
            string? failure;
            try
            {
                failure = roll switch
                {
                    < 40 => await PutAsync(client, server, state, $"w{worker}/{n}.bin", random.Next(1, 256 * 1024)),
                    < 60 => await ReadAsync(client, state, random, HttpMethod.Get),
                    < 70 => await ReadAsync(client, state, random, HttpMethod.Head),
                    < 82 => await TusAsync(client, random.Next(1, 192 * 1024)),
                    _ => await DeleteAsync(client, state, random),
                };
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                failure = $"{ex.GetType().Name}: {ex.Message}";
            }

            state.Record(Stopwatch.GetElapsedTime(started), failure);
        }
    }

    private static async Task<string?> PutAsync(HttpClient client, HmacPortalTarget server, LoadState state, string path, int size)
    {
        using var response = await client.SendAsync(server.Put(path, size));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return $"PUT {path}: {(int)response.StatusCode}";
        }

        state.Stored(path, size);
        return null;
    }

    private static async Task<string?> ReadAsync(HttpClient client, LoadState state, Random random, HttpMethod method)
    {
        if (state.PickRecent(random) is not { } file)
        {
            return null;
        }

        using var response = await client.SendAsync(new HttpRequestMessage(method, "/upload/" + file.Path), HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound && state.WasDeleted(file.Path))
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentLength != file.Size)
        {
            return $"{method} {file.Path}: {(int)response.StatusCode}, {response.Content.Headers.ContentLength} bytes of {file.Size}";
        }

        if (method == HttpMethod.Get)
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(Stream.Null);
        }

        return null;
    }

    private static async Task<string?> DeleteAsync(HttpClient client, LoadState state, Random random)
    {
        if (state.PickRecent(random) is not { } file)
        {
            return null;
        }

        state.Deleting(file.Path);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/admin/api/files/" + file.Path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound ? null : $"DELETE {file.Path}: {(int)response.StatusCode}";
    }

    private static async Task<string?> TusAsync(HttpClient client, int size)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", size.ToString(CultureInfo.InvariantCulture));
        create.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("soak.bin")));
        using var created = await client.SendAsync(create);
        if (created.StatusCode != HttpStatusCode.Created || created.Headers.Location is not { } location)
        {
            return $"tus POST: {(int)created.StatusCode}";
        }

        var half = size / 2;
        foreach (var (offset, length) in new[] { (0, half), (half, size - half) })
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new PatternContent(length) };
            patch.Headers.Add("Tus-Resumable", "1.0.0");
            patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
            patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
            using var patched = await client.SendAsync(patch);
            if (patched.StatusCode != HttpStatusCode.NoContent)
            {
                return $"tus PATCH at {offset}: {(int)patched.StatusCode}";
            }
        }

        return null;
    }

    private static int CountTempFiles(string work) =>
        Directory.EnumerateFiles(work, ".hmacportal-tmp-*", SearchOption.AllDirectories).Count();

    /// <summary>What the load did, shared by its clients.</summary>
    private sealed class LoadState
    {
        private readonly ConcurrentDictionary<string, (long Size, long At)> _recent = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, byte> _deleted = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<double> _latencies = new();
        private long _total;
        private long _windowRequests;
        private long _windowFailures;

        public ConcurrentQueue<string> Failures { get; } = new();

        public long Total => Interlocked.Read(ref _total);

        public void Stored(string path, long size) => _recent[path] = (size, Stopwatch.GetTimestamp());

        public void Deleting(string path) => _deleted[path] = 0;

        public bool WasDeleted(string path) => _deleted.ContainsKey(path);

        /// <summary>A file stored within the last 30 seconds (files expire after a minute).</summary>
        public (string Path, long Size)? PickRecent(Random random)
        {
            foreach (var stale in _recent.Where(f => Stopwatch.GetElapsedTime(f.Value.At) > TimeSpan.FromSeconds(30)).Select(f => f.Key).ToList())
            {
                _recent.TryRemove(stale, out _);
            }

            var files = _recent.ToArray();
            if (files.Length == 0)
            {
                return null;
            }

            var pick = files[random.Next(files.Length)];
            return (pick.Key, pick.Value.Size);
        }

        public void Record(TimeSpan latency, string? failure)
        {
            Interlocked.Increment(ref _total);
            Interlocked.Increment(ref _windowRequests);
            _latencies.Enqueue(latency.TotalMilliseconds);
            if (failure is not null)
            {
                Interlocked.Increment(ref _windowFailures);
                Failures.Enqueue(failure);
            }
        }

        /// <summary>The requests, failures and latencies since the last call.</summary>
        public (long Requests, long Failures, double P50, double P95) TakeWindow()
        {
            var latencies = new List<double>();
            while (_latencies.TryDequeue(out var latency))
            {
                latencies.Add(latency);
            }

            latencies.Sort();
            double At(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            return (Interlocked.Exchange(ref _windowRequests, 0), Interlocked.Exchange(ref _windowFailures, 0), At(0.5), At(0.95));
        }
    }

    private sealed record Sample(TimeSpan At, long Requests, long Failures, double P50, double P95, long Rss, double Heap, long Gen2, int Fds, int Threads, int TempFiles, double Stored, double ScrapeMs)
    {
        public static async Task<Sample> TakeAsync(HmacPortalTarget server, HttpClient scraper, string work, LoadState state, TimeSpan at)
        {
            string? metrics;
            var scrapeStarted = Stopwatch.GetTimestamp();
            try
            {
                metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Recorded and judged, not fatal: the run's figures must survive a bad scrape.
                metrics = null;
            }

            var (requests, failures, p50, p95) = state.TakeWindow();
            var pid = server.ProcessId;
            var fds = Directory.Exists($"/proc/{pid}/fd") ? Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count() : 0;
            var threads = File.Exists($"/proc/{pid}/status")
                ? int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(), CultureInfo.InvariantCulture)
                : 0;
            return new Sample(at, requests, failures, p50, p95, server.ResidentBytes(), metrics is null ? double.NaN : Metric(metrics, "dotnet_total_memory_bytes"),
                metrics is null ? -1 : (long)Metric(metrics, "dotnet_collection_count_total{generation=\"2\"}"), fds, threads, CountTempFiles(work),
                metrics is null ? double.NaN : Metric(metrics, "hmacportal_stored_bytes"), Stopwatch.GetElapsedTime(scrapeStarted).TotalMilliseconds);
        }

        private static double Metric(string exposition, string series)
        {
            var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"/metrics has no {series}");
            return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        }
    }
}
