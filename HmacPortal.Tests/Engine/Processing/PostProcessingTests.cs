using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Jobs;
using HmacPortal.Engine.Processing;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Processing;

/// <summary>Real uploads through the session store, their post-processing queued, handed over and caught up.</summary>
public sealed class PostProcessingTests : IDisposable
{
    private readonly PortalWorld _world = new(queueSize: 2);

    public PostProcessingTests()
    {
        // Deduplication makes every upload owe work; with nothing to do, a file is recorded as processed and never queued.
        _world.DedupOptions.Enabled = true;
    }

    private async Task UploadAsync(string path, byte[] content)
    {
        var mac = TestSigner.V(_world.Security.Secret, path, content.Length);
        var opened = await _world.Chunked.CreateAsync(new ChunkedCreateRequest(path, content.Length.ToString(CultureInfo.InvariantCulture), null, new UploadCredentials(V: mac), null, null));
        Assert.Equal(TusResult.Created, opened.Result);
        var done = await _world.Chunked.WriteChunkAsync(new ChunkRequest(opened.Session!.Id, "0", content.Length, null), System.IO.Pipelines.PipeReader.Create(new MemoryStream(content)), CancellationToken.None);
        Assert.True(done.Session!.Completed, done.Detail);
    }

    private async Task<bool> IsProcessedAsync(string path) => (await _world.Metadata.GetAsync(path, CancellationToken.None))!.Processed is not null;

    private CatchUpJob CatchUp() => new(_world.Metadata, _world.Processor, _world.Files, _world.Clock, NullLogger<CatchUpJob>.Instance);

    [Fact]
    public async Task Upload_WithNothingOwed_IsRecordedProcessed_AndNotQueued()
    {
        _world.DedupOptions.Enabled = false;

        await UploadAsync("n/plain.bin", SignedUploads.Body(100));

        Assert.True(await IsProcessedAsync("n/plain.bin"));
        Assert.Equal(0, _world.Processing.Depth);
        Assert.Empty(_world.Overflow.Handed);
    }

    [Fact]
    public async Task FullQueue_RefusesNoUpload_AndLosesNoProcessing()
    {
        var paths = Enumerable.Range(0, 5).Select(i => $"q/{i}.bin").ToList();
        foreach (var path in paths)
        {
            await UploadAsync(path, SignedUploads.Body(100, seed: path.Length + path[2]));
        }

        Assert.Equal(2, _world.Processing.Depth);
        Assert.Equal(paths[2..], _world.Overflow.Handed);

        using var workers = new ProcessingWorkers(_world.Processing, _world.Processor, new TestOptionsMonitor<WorkersOptions>(_world.Workers), _world.Clock, NullLogger<ProcessingWorkers>.Instance);
        workers.Start();
        await workers.StopAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        foreach (var handed in _world.Overflow.Handed)
        {
            Assert.True(await _world.Processor.ProcessAsync(handed, CancellationToken.None));
        }

        foreach (var path in paths)
        {
            Assert.True(await IsProcessedAsync(path), path);
        }
    }

    [Fact]
    public async Task WorkTheJobServerCouldNotTake_IsDoneByTheCatchUpJob()
    {
        _world.Overflow.Fail = true;
        foreach (var i in Enumerable.Range(0, 4))
        {
            await UploadAsync($"c/{i}.bin", SignedUploads.Body(10, seed: i));
        }

        Assert.Equal(0, await CatchUp().RunAsync(CancellationToken.None));
        _world.Clock.Advance(CatchUpJob.QueueGrace + TimeSpan.FromSeconds(1));

        Assert.Equal(4, await CatchUp().RunAsync(CancellationToken.None));
        Assert.True(await IsProcessedAsync("c/3.bin"));
        Assert.Equal(0, await CatchUp().RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CatchUpRunTwiceAtOnce_ProcessesEachFileOnce()
    {
        _world.DedupOptions.Enabled = true;
        var content = SignedUploads.Body(4096, seed: 42);
        foreach (var i in Enumerable.Range(0, 30))
        {
            await UploadAsync($"t/{i}.bin", content);
        }

        _world.Clock.Advance(CatchUpJob.QueueGrace + TimeSpan.FromSeconds(1));
        var runs = await Task.WhenAll(Task.Run(() => CatchUp().RunAsync(CancellationToken.None)), Task.Run(() => CatchUp().RunAsync(CancellationToken.None)));

        Assert.Equal(30, runs.Sum());
        Assert.Equal(29, _world.Dedup.DeduplicatedCount);
    }

    [Fact]
    public async Task IdenticalUploads_AreDeduplicatedWhenProcessed_AndRecordedSo()
    {
        _world.DedupOptions.Enabled = true;
        var content = SignedUploads.Body(8192, seed: 7);
        await UploadAsync("d/first.bin", content);
        await UploadAsync("d/second.bin", content);

        Assert.True(await _world.Processor.ProcessAsync("d/first.bin", CancellationToken.None));
        Assert.True(await _world.Processor.ProcessAsync("d/second.bin", CancellationToken.None));
        Assert.False(await _world.Processor.ProcessAsync("d/second.bin", CancellationToken.None));

        var first = FileLinks.Identify(Path.Combine(_world.Server.StoragePath, "d", "first.bin"))!.Value;
        var second = FileLinks.Identify(Path.Combine(_world.Server.StoragePath, "d", "second.bin"))!.Value;
        Assert.True(first.IsSameFile(second));
        Assert.True((await _world.Metadata.GetAsync("d/second.bin", CancellationToken.None))!.Deduplicated);

        Assert.True(await _world.Catalog.DeleteAsync("d/first.bin", "test", CancellationToken.None));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_world.Server.StoragePath, "d", "second.bin")));
    }

    public void Dispose() => _world.Dispose();
}
