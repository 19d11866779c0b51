using System.Diagnostics;
using System.Globalization;
using System.Text;
using HmacPortal.Bench;

// Measures HmacPortal against nginx (dav_methods PUT) on loopback, in the same run, and prints
// the ratios the README's targets are stated in. Every loop is bounded by a request count.
if (args is ["soak", var soakDll, ..])
{
    var minutes = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    var concurrency = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
    return await Soak.RunAsync(Path.GetFullPath(soakDll), TimeSpan.FromMinutes(minutes), concurrency);
}

var serverDll = args.Length > 0 ? Path.GetFullPath(args[0]) : throw new ArgumentException("usage: HmacPortal.Bench <path to HmacPortal.dll> [scale]");
var scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

// An optional fourth argument runs only the scenarios whose names contain one of its
// comma-separated words ("1 GiB,tus"), for looking at one path; the GETs read what the PUTs stored.
var only = args.Length > 3 ? args[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
bool Selected(string name) => only is null || only.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
// Small uploads (and half as many downloads) each server takes before anything is measured: past the JIT's tiering and the pool's growth.
const int WarmUpCount = 60_000;
var work = Directory.CreateTempSubdirectory("hmacportal-bench-").FullName;
var results = new List<(string Scenario, string Unit, double Nginx, double HmacPortal, long NginxPeak, long PortalPeak)>();

try
{
    await using var nginx = await NginxTarget.StartAsync(work);
    await using var portal = await HmacPortalTarget.StartAsync(work, serverDll);
    Target[] targets = [nginx, portal];

    // The floor under the small and the 1 GiB uploads (bench/DurablePut, built by run.sh next to this program's project).
    const string SmallPut = "PUT 4 KiB";
    const string LargePut = "PUT 1 GiB";
    var floorDll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "DurablePut", "bin", "Release", "net10.0", "DurablePut.dll"));
    if ((Selected(SmallPut) || Selected(LargePut)) && !File.Exists(floorDll))
    {
        throw new FileNotFoundException("bench/DurablePut is not built: run bench/run.sh, which builds it", floorDll);
    }

    // BENCH_FLOOR=unflushed or discard runs it without the flushes, or without the file (the body
    // read and dropped): what Kestrel itself allows on the machine.
    var floorMode = Environment.GetEnvironmentVariable("BENCH_FLOOR") is { Length: > 0 } m ? m : "durable";
    var floorWhat = floorMode switch
    {
        "durable" => "storing each body durably and nothing else",
        "unflushed" => "storing each body without flushing it, and nothing else",
        "discard" => "reading each body and dropping it",
        _ => throw new ArgumentException($"BENCH_FLOOR={floorMode}: durable, unflushed or discard"),
    };
    await using var floor = Selected(SmallPut) || Selected(LargePut) ? await DurablePutTarget.StartAsync(work, floorDll, floorMode) : null;
    // Its rounds, by scenario, and its peak RSS over all of them.
    var floorRates = new Dictionary<string, List<double>>();
    long floorPeak = 0;

    var small = (int)(4000 * scale);
    var medium = (int)(400 * scale);
    var gib = (long)(1L << 30);
    var quarter = 256L << 20;

    foreach (var t in targets)
    {
        await WarmUpAsync(t);
    }

    if (floor is not null)
    {
        // It only takes uploads: the small ones of the warm-up.
        await UploadMany(floor, "warm", 4096, WarmUpCount, 32);
    }

    // ext4 without a journal (as on this machine) will not reuse an inode freed in the last 60 s
    // (300 s more while its table block is unwritten), and every file created meanwhile scans past
    // each such inode in its block group. Files deleted just before (an earlier run's work
    // directory, a test run) would slow whichever server's directory shares their group. The
    // scenarios start once such deletions have been written and have aged.
    var inodeRecency = TimeSpan.FromSeconds(65);
    await SettleAsync();
    Console.WriteLine($"waiting {inodeRecency.TotalSeconds:0} s for recently freed inodes to age");
    await Task.Delay(inodeRecency);

    // nginx leaves what it stores in the page cache; HmacPortal flushes every file to disk before
    // answering. The disk's own rate for 1 GiB written and flushed puts the large-file figures
    // in proportion.
    var durable = await DurableWriteRateAsync(work, gib, gib);
    var durablePieces = await DurableWriteRateAsync(work, gib, 8 << 20);
    var durableSmall = DurableSmallFilesRate(work, 4096, small, 32);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"disk: 1 GiB written and flushed (fsync) at {durable:0.0} MiB/s; flushed after every 8 MiB, {durablePieces:0.0} MiB/s; 4 KiB files each written, flushed and renamed by 32 threads, {durableSmall:0} files/s"));

    await Scenario(SmallPut + " x" + small + ", 32 parallel", "uploads/s", (t, r) => UploadMany(t, $"small{r}", 4096, small, 32), perSecond: true, floor);
    await Scenario("PUT 1 MiB x" + medium + ", 8 parallel", "MiB/s", (t, r) => UploadMany(t, $"medium{r}", 1 << 20, medium, 8), perSecond: false);
    await Scenario(LargePut + " x1", "MiB/s", (t, r) => UploadMany(t, $"large{r}", gib, 1, 1), perSecond: false, floor);
    await Scenario("PUT 256 MiB x4, 4 parallel", "MiB/s", (t, r) => UploadMany(t, $"quad{r}", quarter, 4, 4), perSecond: false);
    await Scenario("GET 4 KiB x" + small + ", 32 parallel", "downloads/s", (t, _) => DownloadMany(t, "small0", 4096, small, 32), perSecond: true);
    await Scenario("GET 1 GiB x1", "MiB/s", (t, _) => DownloadMany(t, "large0", gib, 1, 1), perSecond: false);

    // Resumable: the same 1 GiB as a tus upload in 8 MiB PATCHes, against HmacPortal's own PUT. Each
    // round takes one of each, the first of the two alternating, and the ratio is the median of the
    // rounds' ratios: the disk's rate drifts over a run, and a tus round measured after all the PUT
    // rounds would carry that drift.
    const string TusScenario = "tus 1 GiB in 8 MiB PATCHes";
    var tusRates = new List<double>();
    var tusPutRates = new List<double>();
    var tusRatios = new List<double>();
    long tusPeak = 0;
    for (var round = 0; round < rounds && Selected(TusScenario); round++)
    {
        double tusRate = 0, putRate = 0;
        for (var turn = 0; turn < 2; turn++)
        {
            await SettleAsync();
            if ((turn + round) % 2 == 0)
            {
                using var sampler = new PeakSampler(portal);
                var (bytes, _, elapsed) = await TusUpload(portal, gib, 8 << 20);
                tusPeak = Math.Max(tusPeak, sampler.Stop());
                tusRate = bytes / (double)(1 << 20) / elapsed.TotalSeconds;
            }
            else
            {
                var (bytes, _, elapsed) = await UploadMany(portal, $"tusround{round}", gib, 1, 1);
                putRate = bytes / (double)(1 << 20) / elapsed.TotalSeconds;
            }
        }

        tusRates.Add(tusRate);
        tusPutRates.Add(putRate);
        tusRatios.Add(tusRate / putRate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{TusScenario,-36} {"HmacPortal",-11} round {round + 1}: {tusRate,10:0.0} MiB/s  PUT {putRate:0.0} MiB/s  ratio {tusRatios[^1]:0.00}  peak RSS {tusPeak >> 20} MiB"));
    }

    var putGib = results.SingleOrDefault(r => r.Scenario == "PUT 1 GiB x1").HmacPortal;
    var tusGib = tusRates.Count > 0 ? Median(tusRates) : 0;
    var tusPutGib = tusPutRates.Count > 0 ? Median(tusPutRates) : 0;
    var tusRatio = tusRatios.Count > 0 ? Median(tusRatios) : 0;

    Console.WriteLine();
    Console.WriteLine("| scenario | unit | nginx | HmacPortal | ratio | nginx peak RSS | HmacPortal peak RSS |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Scenario} | {r.Unit} | {r.Nginx:0.0} | {r.HmacPortal:0.0} | {r.HmacPortal / r.Nginx:0.00} | {r.NginxPeak >> 20} MiB | {r.PortalPeak >> 20} MiB |"));
    }

    if (tusRates.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine("| resumable | unit | HmacPortal PUT | HmacPortal tus | ratio (median of rounds) | tus peak RSS |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| 1 GiB in 8 MiB PATCHes | MiB/s | {tusPutGib:0.0} | {tusGib:0.0} | {tusRatio:0.00} | {tusPeak >> 20} MiB |"));
    }

    Console.WriteLine();
    if (results.FirstOrDefault(r => r.Scenario.StartsWith(SmallPut, StringComparison.Ordinal)) is { Scenario: not null } smallPut)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Disk alone, 4 KiB files written, flushed and renamed by 32 threads: {durableSmall:0} files/s; HmacPortal's 4 KiB PUTs reached {smallPut.HmacPortal / durableSmall:0.00} of it, nginx (which does not flush) {smallPut.Nginx / durableSmall:0.00}."));
    }

    foreach (var (scenario, rates) in floorRates)
    {
        var (_, unit, nginxRate, portalRate, _, _) = results.Single(r => r.Scenario == scenario);
        var floorRate = Median(rates);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{scenario}: bare Kestrel {floorWhat} (bench/DurablePut {floorMode}), same rounds: {floorRate:0.0} {unit} (peak RSS {floorPeak >> 20} MiB), {floorRate / nginxRate:0.00} of nginx; HmacPortal reached {portalRate / floorRate:0.00} of it."));
    }

    if (putGib > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Disk alone, 1 GiB written and flushed: {durable:0.0} MiB/s; HmacPortal's 1 GiB PUT reached {putGib / durable:0.00} of it, nginx (which does not flush) {results.SingleOrDefault(r => r.Scenario == "PUT 1 GiB x1").Nginx / durable:0.00}."));
    }

    if (tusRates.Count > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Disk alone, 1 GiB flushed after every 8 MiB: {durablePieces:0.0} MiB/s; the tus upload reached {tusGib / durablePieces:0.00} of it."));
    }

    // Each scenario runs several rounds, alternating the servers, and reports the median of each:
    // on a shared 2-core machine single runs swing widely.
    // A floor target, when given, takes its turn in each round after the two servers (into floorRates).
    async Task Scenario(string name, string unit, Func<Target, int, Task<(long Bytes, int Count, TimeSpan Elapsed)>> run, bool perSecond, Target? floorTarget = null)
    {
        if (!Selected(name))
        {
            return;
        }

        var values = new List<double>[] { [], [] };
        var peaks = new long[2];
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < targets.Length; i++)
            {
                var target = targets[i];
                await SettleAsync();
                using var sampler = new PeakSampler(target);
                var (bytes, count, elapsed) = await run(target, round);
                peaks[i] = Math.Max(peaks[i], sampler.Stop());
                var value = perSecond ? count / elapsed.TotalSeconds : bytes / (double)(1 << 20) / elapsed.TotalSeconds;
                values[i].Add(value);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-36} {target.Name,-11} round {round + 1}: {value,10:0.0} {unit}  peak RSS {peaks[i] >> 20} MiB"));
            }

            if (floorTarget is not null)
            {
                await SettleAsync();
                using var sampler = new PeakSampler(floorTarget);
                var (bytes, count, elapsed) = await run(floorTarget, round);
                floorPeak = Math.Max(floorPeak, sampler.Stop());
                var rates = floorRates.TryGetValue(name, out var known) ? known : floorRates[name] = [];
                rates.Add(perSecond ? count / elapsed.TotalSeconds : bytes / (double)(1 << 20) / elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-36} {floorTarget.Name,-11} round {round + 1}: {rates[^1],10:0.0} {unit}  peak RSS {floorPeak >> 20} MiB"));
            }
        }

        results.Add((name, unit, Median(values[0]), Median(values[1]), peaks[0], peaks[1]));
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

return 0;

/// <summary>The disk's rate for <paramref name="size"/> bytes written in 8 MiB blocks and flushed after every <paramref name="flushEvery"/>.</summary>
// The most 4 KiB uploads a second a server that flushes each file before answering could take here:
// threads that only create, write, flush and rename files, with no HTTP, hashing or database.
// The files stay (until the work directory goes), as deleting them would slow the scenarios'.
static double DurableSmallFilesRate(string directory, int size, int count, int parallel)
{
    var target = Directory.CreateDirectory(Path.Combine(directory, "durable-small")).FullName;
    var block = new byte[size];
    Random.Shared.NextBytes(block);
    var next = -1;
    var watch = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, parallel).Select(_ => new Thread(() =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var temp = Path.Combine(target, $"{i}.tmp");
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                file.Write(block);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, Path.Combine(target, $"{i}.bin"));
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    return count / watch.Elapsed.TotalSeconds;
}

static async Task<double> DurableWriteRateAsync(string directory, long size, long flushEvery)
{
    var path = Path.Combine(directory, "durable-write.bin");
    var block = new byte[8 << 20];
    Random.Shared.NextBytes(block);
    var watch = Stopwatch.StartNew();
    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
    {
        for (long written = 0; written < size;)
        {
            await file.WriteAsync(block);
            written += block.Length;
            if (written % flushEvery == 0 || written >= size)
            {
                file.Flush(flushToDisk: true);
            }
        }
    }

    var rate = size / (double)(1 << 20) / watch.Elapsed.TotalSeconds;
    File.Delete(path);
    return rate;
}

// nginx leaves what it stored in the page cache, and the kernel writes it out later, in whatever
// round is running then. Every measured run starts with nothing left to write (sync), so each
// server's writes are paid in its own rounds.
static async Task SettleAsync()
{
    using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!;
    await sync.WaitForExitAsync();
}

static HttpClient ClientFor(Target target, int parallel) => new(new SocketsHttpHandler { MaxConnectionsPerServer = parallel, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = target.BaseAddress,
    Timeout = TimeSpan.FromMinutes(10),
};

// Both servers are measured in their steady state, as a server that has been up for a while runs.
// HmacPortal compiles its hot paths at run time, in tiers, with profile-guided optimisation in
// between, and under a full load that takes tens of thousands of requests: on a 2-core machine its
// CPU per 4 KiB upload fell from about 700 us over the first 4000 to 300 us after 12 000 and to
// 140-270 us only after 40 000-50 000. So each target first takes 60 000 small uploads and 30 000
// downloads (bounded counts), then a few medium ones.
static async Task WarmUpAsync(Target target)
{
    await UploadMany(target, "warm", 4096, WarmUpCount, 32);
    await DownloadMany(target, "warm", 4096, WarmUpCount / 2, 32);
    await UploadMany(target, "warmmedium", 1 << 20, 100, 8);
}

static async Task<(long, int, TimeSpan)> UploadMany(Target target, string name, long size, int count, int parallel)
{
    using var client = ClientFor(target, parallel);
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            using var response = await client.SendAsync(target.Put($"/{name}/{i}.bin", size));
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{target.Name} answered {(int)response.StatusCode} to PUT {name}/{i}");
            }
        }
    }));
    return (size * count, count, watch.Elapsed);
}

static async Task<(long, int, TimeSpan)> TusUpload(Target target, long size, int chunk)
{
    using var client = ClientFor(target, 1);
    var watch = Stopwatch.StartNew();
    using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
    create.Headers.Add("Tus-Resumable", "1.0.0");
    create.Headers.Add("Upload-Length", size.ToString(CultureInfo.InvariantCulture));
    create.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("tus.bin")));
    using var created = await client.SendAsync(create);
    created.EnsureSuccessStatusCode();
    var url = created.Headers.Location!;
    for (long offset = 0; offset < size; offset += chunk)
    {
        using var patch = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new PatternContent(Math.Min(chunk, size - offset)) };
        patch.Headers.Add("Tus-Resumable", "1.0.0");
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        patch.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await client.SendAsync(patch);
        if (response.StatusCode != System.Net.HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"PATCH at {offset} answered {(int)response.StatusCode}");
        }
    }

    return (size, 1, watch.Elapsed);
}

static async Task<(long, int, TimeSpan)> DownloadMany(Target target, string name, long size, int count, int parallel)
{
    using var client = ClientFor(target, parallel);
    var next = -1;
    var buffer = new byte[1 << 16];
    var watch = Stopwatch.StartNew();
    long total = 0;
    await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
    {
        var local = new byte[1 << 16];
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            // Uploads of the same name exist from the PUT scenarios (index modulo what was stored).
            using var response = await client.GetAsync(target.GetPath($"/{name}/{i % Math.Max(1, Math.Min(count, 4000))}.bin"), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            long read = 0;
            int n;
            while ((n = await stream.ReadAsync(local)) > 0)
            {
                read += n;
            }

            if (read != size)
            {
                throw new InvalidOperationException($"{target.Name} sent {read} bytes of {size}");
            }

            Interlocked.Add(ref total, read);
        }
    }));
    return (total, count, watch.Elapsed);
}

/// <summary>Samples a server's resident memory every 20 ms and keeps the highest value.</summary>
internal sealed class PeakSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public PeakSampler(Target target)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            do
            {
                var rss = target.ResidentBytes();
                if (rss > Interlocked.Read(ref _peak))
                {
                    Interlocked.Exchange(ref _peak, rss);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public long Stop()
    {
        _stop.Cancel();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        return Interlocked.Read(ref _peak);
    }

    public void Dispose() => _stop.Dispose();
}
