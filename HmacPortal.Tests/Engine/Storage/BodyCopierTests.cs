using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Storage;

/// <summary>
/// The copy loop every upload shares: large bodies go around the page cache in whole blocks while
/// the next block fills, everything else through it, and the file always holds exactly the body.
/// </summary>
public sealed class BodyCopierTests : IDisposable
{
    private const long Mebibyte = 1 << 20;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Copy_LargeBody_WritesWholeBlocksDirectly_AndTheTailThroughThePageCache()
    {
        var body = SignedUploads.Body((int)(3 * Mebibyte) + 1234);
        await using var file = Create("large.bin");
        var seen = new List<byte>();
        var directWhileObserved = 0;

        var result = await BodyCopier.CopyAsync(
            InPieces(body, 10_007), file, body.Length, true, 8 * Mebibyte,
            block =>
            {
                seen.AddRange(block.ToArray());
                directWhileObserved += IsDirect(file) ? 1 : 0;
            },
            null, null, CancellationToken.None);

        Assert.Equal(new BodyCopyResult(BodyCopyStop.Ended, body.Length, 3 * Mebibyte), result);
        Assert.Equal(body.Length, file.Position);
        Assert.False(IsDirect(file));
        Assert.Equal(body, seen);
        // The file was in direct mode for the blocks before the tail.
        Assert.True(directWhileObserved >= 12, $"direct for {directWhileObserved} blocks");
        file.Close();
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("large.bin")));
    }

    [Fact]
    public async Task Copy_LargeBodyOfWholeBlocks_IsAllDirect()
    {
        var body = SignedUploads.Body((int)(2 * Mebibyte));
        await using var file = Create("whole.bin");

        var result = await BodyCopier.CopyAsync(InPieces(body, 65_536), file, body.Length, true, 8 * Mebibyte, static _ => { }, null, null, CancellationToken.None);

        Assert.Equal(new BodyCopyResult(BodyCopyStop.Ended, body.Length, body.Length), result);
        file.Close();
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("whole.bin")));
    }

    [Fact]
    public async Task Copy_NotAskedToGoDirect_GoesThroughThePageCache()
    {
        var body = SignedUploads.Body(500_000);
        await using var file = Create("small.bin");
        var direct = false;

        var result = await BodyCopier.CopyAsync(InPieces(body, 4096), file, body.Length, false, 8 * Mebibyte, _ => direct |= IsDirect(file), null, null, CancellationToken.None);

        Assert.Equal(new BodyCopyResult(BodyCopyStop.Ended, body.Length, 0), result);
        Assert.False(direct);
        file.Close();
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("small.bin")));
    }

    [Fact]
    public async Task Copy_FromAPositionOffTheBoundary_GoesThroughThePageCache()
    {
        var head = SignedUploads.Body(1000, seed: 2);
        var body = SignedUploads.Body((int)(2 * Mebibyte));
        await using var file = Create("resumed.bin");
        file.Write(head);

        var result = await BodyCopier.CopyAsync(InPieces(body, 30_000), file, body.Length, true, 8 * Mebibyte, static _ => { }, null, null, CancellationToken.None);

        Assert.Equal(new BodyCopyResult(BodyCopyStop.Ended, body.Length, 0), result);
        Assert.Equal(head.Length + body.Length, file.Position);
        file.Close();
        Assert.Equal(head.Concat(body), await File.ReadAllBytesAsync(_dir.Combine("resumed.bin")));
    }

    [Fact]
    public async Task Copy_InterruptedMidBody_KeepsEveryByteThatArrived()
    {
        var arrived = SignedUploads.Body((int)Mebibyte + 5000);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await pipe.Writer.WriteAsync(arrived);
        await using var file = Create("cut.bin");
        long received = 0;

        // The connection drops once everything sent so far has been read.
        var result = await BodyCopier.CopyAsync(
            pipe.Reader, file, 4 * Mebibyte, true, 8 * Mebibyte, static _ => { }, null,
            n =>
            {
                if ((received += n) == arrived.Length)
                {
                    pipe.Writer.Complete(new IOException("connection reset"));
                }
            },
            CancellationToken.None);

        Assert.Equal(BodyCopyStop.Interrupted, result.Stop);
        Assert.Equal(arrived.Length, result.Written);
        Assert.Equal(Mebibyte, result.WrittenDirect);
        file.Close();
        Assert.Equal(arrived, await File.ReadAllBytesAsync(_dir.Combine("cut.bin")));
    }

    [Fact]
    public async Task Copy_ReportsOnlyBytesAlreadyInTheFile_AfterEachRead()
    {
        var body = SignedUploads.Body((int)(4 * Mebibyte));
        await using var file = Create("progress.bin");
        var path = _dir.Combine("progress.bin");
        var reports = new List<(long Reported, long Length)>();

        var result = await BodyCopier.CopyAsync(
            InPieces(body, 50_000), file, body.Length, true, 8 * Mebibyte, static _ => { },
            landed =>
            {
                reports.Add((landed, new FileInfo(path).Length));
                return ValueTask.CompletedTask;
            },
            null, CancellationToken.None);

        Assert.Equal(body.Length, result.Written);
        Assert.NotEmpty(reports);
        Assert.All(reports, report => Assert.True(report.Reported <= report.Length, $"reported {report.Reported} with {report.Length} in the file"));
        Assert.Equal(reports.Select(r => r.Reported).Order(), reports.Select(r => r.Reported));
    }

    [Fact]
    public async Task Copy_WhenDiskFillsDuringDirectWrites_FailsWithNoSpace_AndTheBuffersCanBeUsedAgain()
    {
        using var small = new SmallFileSystem("1m");
        var body = SignedUploads.Body((int)(3 * Mebibyte));
        var fileOnFullDisk = new FileStream(Path.Combine(small.Path, "big.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        await using (fileOnFullDisk)
        {
            var failure = await Assert.ThrowsAsync<IOException>(() => BodyCopier.CopyAsync(InPieces(body, 65_536), fileOnFullDisk, body.Length, true, 8 * Mebibyte, static _ => { }, null, null, CancellationToken.None));
            Assert.True(FileStore.IsNoSpace(failure), failure.Message);
            Assert.False(IsDirect(fileOnFullDisk));
        }

        // The next copies, which take the same pooled buffers, store exactly their bodies.
        for (var i = 0; i < 3; i++)
        {
            var next = SignedUploads.Body((int)(2 * Mebibyte) + i);
            await using var file = Create($"after{i}.bin");
            await BodyCopier.CopyAsync(InPieces(next, 65_536), file, next.Length, true, 8 * Mebibyte, static _ => { }, null, null, CancellationToken.None);
            file.Close();
            Assert.Equal(SHA256.HashData(next), SHA256.HashData(await File.ReadAllBytesAsync(_dir.Combine($"after{i}.bin"))));
        }
    }

    [Theory]
    [InlineData(1L << 20, false)]
    [InlineData((8L << 20) - 1, false)]
    [InlineData(8L << 20, true)]
    [InlineData(1L << 30, true)]
    public void GoesDirect_FromEightMebibytesOn(long fileLength, bool direct) => Assert.Equal(direct, BodyCopier.GoesDirect(fileLength));

    public void Dispose() => _dir.Dispose();

    private FileStream Create(string name) =>
        new(_dir.Combine(name), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 });

    private static PipeReader InPieces(byte[] body, int size) =>
        PipeReader.Create(new MemoryStream(body), new StreamPipeReaderOptions(bufferSize: size, minimumReadSize: Math.Min(size, 1024)));

    /// <summary>Whether the kernel has the file open with O_DIRECT, read from /proc rather than from the copier.</summary>
    private static bool IsDirect(FileStream file)
    {
        var fd = file.SafeFileHandle.DangerousGetHandle().ToInt32();
        var line = File.ReadLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        var flags = Convert.ToInt32(line["flags:".Length..].Trim(), 8);
        var direct = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;
        return (flags & direct) != 0;
    }
}
