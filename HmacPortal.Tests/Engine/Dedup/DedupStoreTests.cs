using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Dedup;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Engine.Dedup;

public sealed class DedupStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly DeduplicationOptions _options = new() { Enabled = true };
    private readonly DedupStore _store;

    public DedupStoreTests()
    {
        Directory.CreateDirectory(_dir.Combine("files"));
        _store = new DedupStore(
            new TestOptionsMonitor<DeduplicationOptions>(_options),
            new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = _dir.Combine("files") }),
            NullLogger<DedupStore>.Instance);
    }

    private (StoragePath Path, string Full, string Sha) Store(string path, byte[] content)
    {
        var full = _dir.Combine("files", path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return (StoragePath.TryCreate(path, out var parsed, out _) ? parsed : throw new ArgumentException(path), full, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)));
    }

    private static FileIdentity Identity(string path) => FileLinks.Identify(path) ?? throw new FileNotFoundException(path);

    [Fact]
    public async Task IdenticalUploads_ShareOneInode_AndTheBytesGoOnlyWithTheLastFile()
    {
        var content = SignedUploads.Body(64 * 1024, seed: 11);
        var first = Store("a/one.bin", content);
        var second = Store("b/two.bin", content);

        Assert.Equal(DedupOutcome.Stored, _store.Add(first.Path, first.Sha, content.Length));
        Assert.Equal(DedupOutcome.Deduplicated, _store.Add(second.Path, second.Sha, content.Length));

        Assert.True(Identity(first.Full).IsSameFile(Identity(second.Full)));
        Assert.Equal(3u, Identity(first.Full).Links);
        Assert.Equal(1, _store.DeduplicatedCount);
        Assert.Equal(content.Length, _store.BytesSaved);

        File.Delete(first.Full);
        Assert.Equal(content, await File.ReadAllBytesAsync(second.Full));
        Assert.Equal(0, _store.CollectGarbage(CancellationToken.None));

        File.Delete(second.Full);
        Assert.Equal(1u, Identity(_store.BlobPath(first.Sha)).Links);
        Assert.Equal(1, _store.CollectGarbage(CancellationToken.None));
        Assert.False(File.Exists(_store.BlobPath(first.Sha)));
    }

    [Fact]
    public void AddingTheSameFileAgain_ChangesNothing()
    {
        var content = SignedUploads.Body(1000, seed: 12);
        var file = Store("a/again.bin", content);

        Assert.Equal(DedupOutcome.Stored, _store.Add(file.Path, file.Sha, content.Length));
        Assert.Equal(DedupOutcome.Stored, _store.Add(file.Path, file.Sha, content.Length));

        Assert.Equal(2u, Identity(file.Full).Links);
        Assert.Equal(0, _store.DeduplicatedCount);
    }

    [Fact]
    public async Task ConcurrentAdds_OfIdenticalFiles_EndWithEveryFileIntactAndOneCopy()
    {
        var content = SignedUploads.Body(32 * 1024, seed: 13);
        var files = Enumerable.Range(0, 8).Select(i => Store($"c/{i}.bin", content)).ToList();

        var outcomes = files.AsParallel().WithDegreeOfParallelism(8).Select(f => _store.Add(f.Path, f.Sha, content.Length)).ToList();

        Assert.All(outcomes, o => Assert.True(o is DedupOutcome.Stored or DedupOutcome.Deduplicated, o.ToString()));
        var blob = Identity(_store.BlobPath(files[0].Sha));
        foreach (var f in files)
        {
            Assert.True(Identity(f.Full).IsSameFile(blob));
            Assert.Equal(content, await File.ReadAllBytesAsync(f.Full));
        }

        Assert.Equal(9u, blob.Links);
    }

    [Fact]
    public void FileDeletedMeanwhile_IsNotBroughtBack()
    {
        var content = SignedUploads.Body(1000, seed: 14);
        var kept = Store("a/kept.bin", content);
        var gone = Store("a/gone.bin", content);
        _store.Add(kept.Path, kept.Sha, content.Length);
        File.Delete(gone.Full);

        Assert.Equal(DedupOutcome.Gone, _store.Add(gone.Path, gone.Sha, content.Length));

        Assert.False(File.Exists(gone.Full));
        Assert.Empty(Directory.GetFiles(_dir.Combine("files", "a"), FileStore.TempPrefix + "*"));
    }

    [Fact]
    public void Disabled_TooLarge_Empty_OrWithoutHash_IsNotEligible()
    {
        var content = SignedUploads.Body(2048, seed: 15);
        var file = Store("a/big.bin", content);

        _options.MaxSize = new ByteSize(1024);
        Assert.Equal(DedupOutcome.NotEligible, _store.Add(file.Path, file.Sha, content.Length));
        _options.MaxSize = new ByteSize(0);
        Assert.Equal(DedupOutcome.NotEligible, _store.Add(file.Path, null, content.Length));
        Assert.Equal(DedupOutcome.NotEligible, _store.Add(file.Path, "../../etc/passwd", content.Length));
        _options.Enabled = false;
        Assert.Equal(DedupOutcome.NotEligible, _store.Add(file.Path, file.Sha, content.Length));

        Assert.Equal(1u, Identity(file.Full).Links);
    }

    [Fact]
    public async Task BlobOfADifferentSize_IsLeftAlone_AndTheFileKeepsItsBytes()
    {
        var content = SignedUploads.Body(1000, seed: 16);
        var file = Store("a/odd.bin", content);
        var blob = _store.BlobPath(file.Sha);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, new byte[10]);

        Assert.Equal(DedupOutcome.Failed, _store.Add(file.Path, file.Sha, content.Length));

        Assert.Equal(content, await File.ReadAllBytesAsync(file.Full));
    }

    [Fact]
    public async Task CollectingTwiceAtOnce_RemovesEachOrphanOnce()
    {
        var orphans = Enumerable.Range(0, 20).Select(i => Store($"o/{i}.bin", SignedUploads.Body(100, seed: 100 + i))).ToList();
        foreach (var orphan in orphans)
        {
            _store.Add(orphan.Path, orphan.Sha, 100);
            File.Delete(orphan.Full);
        }

        var runs = await Task.WhenAll(Task.Run(() => _store.CollectGarbage(CancellationToken.None)), Task.Run(() => _store.CollectGarbage(CancellationToken.None)));

        Assert.Equal(20, runs.Sum());
        Assert.Empty(Directory.GetFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => _dir.Dispose();
}
