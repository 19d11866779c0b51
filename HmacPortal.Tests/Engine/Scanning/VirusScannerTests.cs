using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Jobs;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Scanning;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Scanning;

/// <summary>Post-processing with a real clamd: clean files, the EICAR test file, and clamd going away mid-way.</summary>
public sealed class VirusScannerTests : IAsyncLifetime, IDisposable
{
    private readonly PortalWorld _world = new();
    private ClamdProcess _clamd = null!;

    public async Task InitializeAsync()
    {
        _clamd = await ClamdProcess.StartAsync();
        _world.ClamAv.ClamAvEnabled = true;
        _world.ClamAv.ClamAvSocket = _clamd.SocketPath;
        _world.ClamAv.Timeout = TimeSpan.FromSeconds(30);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<TusOutcome> UploadAsync(string path, byte[] content)
    {
        var mac = TestSigner.V(_world.Security.Secret, path, content.Length);
        var opened = await _world.Chunked.CreateAsync(new ChunkedCreateRequest(path, content.Length.ToString(CultureInfo.InvariantCulture), null, new UploadCredentials(V: mac), "203.0.113.9", null));
        if (opened.Result != TusResult.Created)
        {
            return opened;
        }

        return await _world.Chunked.WriteChunkAsync(new ChunkRequest(opened.Session!.Id, "0", content.Length, null), System.IO.Pipelines.PipeReader.Create(new MemoryStream(content)), CancellationToken.None);
    }

    private async Task<string?> ScanOfAsync(string path) => (await _world.Metadata.GetAsync(path, CancellationToken.None))!.Scan;

    private string Stored(string path) => Path.Combine(_world.Server.StoragePath, path.Replace('/', Path.DirectorySeparatorChar));

    [Fact]
    public async Task CleanFile_IsRecordedClean_AndStaysWhereItIs()
    {
        await UploadAsync("s/clean.txt", "just a note"u8.ToArray());

        Assert.True(await _world.Processor.ProcessAsync("s/clean.txt", CancellationToken.None));

        Assert.Equal("clean", await ScanOfAsync("s/clean.txt"));
        Assert.True(File.Exists(Stored("s/clean.txt")));
        Assert.Equal(1, _world.Scanner.Scanned);
    }

    [Fact]
    public async Task Eicar_IsQuarantined_RecordedAndAudited_AndNeitherDeduplicatedNorThumbnailed()
    {
        _world.DedupOptions.Enabled = true;
        await UploadAsync("s/eicar.com", ClamdProcess.Eicar);

        Assert.True(await _world.Processor.ProcessAsync("s/eicar.com", CancellationToken.None));

        var record = (await _world.Metadata.GetAsync("s/eicar.com", CancellationToken.None))!;
        Assert.Equal($"infected: {ClamdProcess.Signature}", record.Scan);
        Assert.False(record.Deduplicated);
        Assert.False(File.Exists(Stored("s/eicar.com")));
        var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(_world.Server.StoragePath, Quarantine.DirectoryName)));
        Assert.Equal(ClamdProcess.Eicar, await File.ReadAllBytesAsync(quarantined));
        Assert.False(Directory.Exists(_world.Dedup.Root) && Directory.EnumerateFiles(_world.Dedup.Root, "*", SearchOption.AllDirectories).Any());
        var audit = new HmacPortal.Engine.Audit.AuditTrail(_world.Database, _world.Clock).Query("file.infected", null, 0, 10);
        Assert.Contains(ClamdProcess.Signature, Assert.Single(audit.Entries).Detail, StringComparison.Ordinal);
        Assert.Equal(HmacPortal.Engine.Downloads.DownloadResult.Quarantined, (await new HmacPortal.Engine.Downloads.DownloadService(
            _world.Files, _world.Metadata, new TestOptionsMonitor<DownloadsOptions>(new DownloadsOptions()), new HmacPortal.Engine.Downloads.DownloadCounter(_world.Metadata), _world.Clock)
            .FindAsync(HmacPortal.Engine.Storage.StoragePath.TryCreate("s/eicar.com", out var p, out _) ? p : throw new InvalidOperationException(), CancellationToken.None)).Result);
    }

    [Fact]
    public async Task SizeAndSuffixFilters_LeaveFilesUnscanned_AndSaySo()
    {
        _world.ClamAv.MaxScanSize = new ByteSize(10);
        _world.ClamAv.ScanFileExtensions = [".exe"];
        await UploadAsync("s/big.exe", new byte[100]);
        await UploadAsync("s/small.txt", new byte[5]);

        await _world.Processor.ProcessAsync("s/big.exe", CancellationToken.None);
        await _world.Processor.ProcessAsync("s/small.txt", CancellationToken.None);

        Assert.Equal("unscanned: larger than maxscansize (10 B)", await ScanOfAsync("s/big.exe"));
        Assert.Equal("unscanned: its suffix is not in scanfileextensions", await ScanOfAsync("s/small.txt"));
        Assert.Equal(0, _world.Scanner.Scanned);
    }

    [Fact]
    public async Task FileOverClamdsOwnLimit_IsLeftUnscanned_WithoutCountingAsAFailure()
    {
        var big = new byte[ClamdProcess.StreamMaxLength * 2];
        foreach (var i in Enumerable.Range(0, 4))
        {
            await UploadAsync($"s/big-{i}.bin", big);
            Assert.True(await _world.Processor.ProcessAsync($"s/big-{i}.bin", CancellationToken.None));
            Assert.Equal("unscanned: larger than clamd's StreamMaxLength", await ScanOfAsync($"s/big-{i}.bin"));
        }

        Assert.True(_world.Scanner.Available);
    }

    [Fact]
    public async Task ClamdStoppedMidWay_FilesWaitUnscanned_UploadsAreRefusedWhenSoConfigured_AndAllIsScannedWhenItIsBack()
    {
        _world.ClamAv.OnUnavailable = "refuse";
        await UploadAsync("s/before.txt", "scanned while clamd runs"u8.ToArray());
        Assert.True(await _world.Processor.ProcessAsync("s/before.txt", CancellationToken.None));
        foreach (var i in Enumerable.Range(0, 3))
        {
            Assert.True((await UploadAsync($"s/during-{i}.txt", "waits for clamd"u8.ToArray())).Session!.Completed);
        }

        _clamd.Kill();
        foreach (var i in Enumerable.Range(0, 3))
        {
            Assert.False(await _world.Processor.ProcessAsync($"s/during-{i}.txt", CancellationToken.None));
            Assert.Null(await ScanOfAsync($"s/during-{i}.txt"));
        }

        Assert.False(_world.Scanner.Available);
        Assert.True(_world.Scanner.RefusesUploads);
        var refused = await UploadAsync("s/refused.txt", "no"u8.ToArray());
        Assert.Equal(TusResult.Unavailable, refused.Result);
        Assert.Contains("virus scanning is unavailable", refused.Detail, StringComparison.Ordinal);

        await _clamd.StartAgainAsync();
        _world.Clock.Advance(VirusScanner.BreakDuration + CatchUpJob.QueueGrace);
        Assert.True(_world.Scanner.Available);
        var caughtUp = await new CatchUpJob(_world.Metadata, _world.Processor, _world.Files, _world.Clock, NullLogger<CatchUpJob>.Instance).RunAsync(CancellationToken.None);

        Assert.Equal(3, caughtUp);
        foreach (var i in Enumerable.Range(0, 3))
        {
            Assert.Equal("clean", await ScanOfAsync($"s/during-{i}.txt"));
        }

        Assert.False(_world.Scanner.RefusesUploads);
        Assert.True((await UploadAsync("s/after.txt", "yes"u8.ToArray())).Session!.Completed);
    }

    [Fact]
    public async Task ClamdThatNeverAnswers_CountsAsUnavailableAfterTheConfiguredTimeout()
    {
        using var dir = new TempDirectory();
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        silent.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(dir.Combine("silent.sock")));
        silent.Listen();
        _world.ClamAv.ClamAvSocket = dir.Combine("silent.sock");
        _world.ClamAv.Timeout = TimeSpan.FromSeconds(45);
        await UploadAsync("s/slow.txt", "waits"u8.ToArray());
        Assert.True(HmacPortal.Engine.Storage.StoragePath.TryCreate("s/slow.txt", out var stored, out _));

        var scan = _world.Scanner.ScanAsync(stored, 5, CancellationToken.None);

        // clamd takes the connection and never answers: short of the timeout the scan waits, past it the scan gives up.
        await Task.Delay(300);
        Assert.False(scan.IsCompleted);
        _world.Clock.Advance(TimeSpan.FromSeconds(44));
        await Task.Delay(300);
        Assert.False(scan.IsCompleted);
        _world.Clock.Advance(TimeSpan.FromSeconds(2));
        await scan.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(ScanResult.Unavailable, (await scan).Result);
    }

    public void Dispose()
    {
        _clamd?.Dispose();
        _world.Dispose();
    }
}
