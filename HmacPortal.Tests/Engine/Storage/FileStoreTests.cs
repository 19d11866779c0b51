using System.IO.Pipelines;
using System.Security.Cryptography;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Storage;

public sealed class FileStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static FileStore StoreAt(string root, bool unnamed = true) =>
        new(new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = root })) { UnnamedFiles = unnamed };

    private static StoragePath PathOf(string value) => StoragePath.TryCreate(value, out var path, out _) ? path : throw new ArgumentException(value);

    private static PipeReader BodyOf(byte[] bytes) => PipeReader.Create(new MemoryStream(bytes));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_WholeBody_StoresItWithItsSha256(bool unnamed)
    {
        var body = SignedUploads.Body(700_000);

        var result = await StoreAt(_dir.Path, unnamed).WriteAsync(PathOf("a/b.bin"), BodyOf(body), body.Length, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.Stored, result.Status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), result.Sha256);
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("a", "b.bin")));
        Assert.Single(Directory.GetFiles(_dir.Combine("a")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_ShortBody_IsTruncatedAndLeavesNothing(bool unnamed)
    {
        var result = await StoreAt(_dir.Path, unnamed).WriteAsync(PathOf("a/short.bin"), BodyOf(new byte[10]), 11, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.Truncated, result.Status);
        Assert.Empty(Directory.GetFiles(_dir.Combine("a")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_LongBody_IsTooLongAndLeavesNothing(bool unnamed)
    {
        var result = await StoreAt(_dir.Path, unnamed).WriteAsync(PathOf("a/long.bin"), BodyOf(new byte[12]), 11, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.TooLong, result.Status);
        Assert.Empty(Directory.GetFiles(_dir.Combine("a")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_Cancelled_IsClientGoneAndLeavesNothing(bool unnamed)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[1000]);
        using var cancel = new CancellationTokenSource();
        var write = StoreAt(_dir.Path, unnamed).WriteAsync(PathOf("a/cancel.bin"), pipe.Reader, 5000, null, cancel.Token);

        await cancel.CancelAsync();
        var result = await write;

        Assert.Equal(FileWriteStatus.ClientGone, result.Status);
        Assert.Empty(Directory.GetFiles(_dir.Combine("a")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_WhenDiskFills_IsNoSpaceAndLeavesNothing(bool unnamed)
    {
        using var small = new SmallFileSystem("1m");
        var store = StoreAt(small.Path, unnamed);

        var result = await store.WriteAsync(PathOf("full/big.bin"), BodyOf(SignedUploads.Body(2_000_000)), 2_000_000, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.NoSpace, result.Status);
        Assert.Empty(Directory.GetFiles(small.Path, "*", SearchOption.AllDirectories));

        // The volume is usable again straight away.
        var after = await store.WriteAsync(PathOf("full/small.bin"), BodyOf(new byte[1000]), 1000, null, CancellationToken.None);
        Assert.Equal(FileWriteStatus.Stored, after.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_OneBufferOrLess_WhenDiskIsFull_IsNoSpaceAndLeavesNothing(bool unnamed)
    {
        // Bodies up to one buffer are written without reserving first: the write itself must fail cleanly.
        using var small = new SmallFileSystem("1m");
        var store = StoreAt(small.Path, unnamed);
        var filler = await store.WriteAsync(PathOf("full/filler.bin"), BodyOf(SignedUploads.Body(900_000)), 900_000, null, CancellationToken.None);
        Assert.Equal(FileWriteStatus.Stored, filler.Status);
        var left = store.Volume().FreeBytes;
        var length = (int)Math.Min(BodyCopier.BufferSize, left + 64 * 1024);
        Assert.True(length > left, $"the volume still has {left} bytes free");

        var result = await store.WriteAsync(PathOf("full/small.bin"), BodyOf(SignedUploads.Body(length, seed: 3)), length, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.NoSpace, result.Status);
        Assert.Equal(["filler.bin"], Directory.GetFiles(Path.Combine(small.Path, "full")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_WhereAFileAppearedMeanwhile_IsExists_KeepsTheFirst_AndLeavesNoTempFile(bool unnamed)
    {
        _dir.Write("a/taken.bin", "first");

        var result = await StoreAt(_dir.Path, unnamed).WriteAsync(PathOf("a/taken.bin"), BodyOf(new byte[100]), 100, null, CancellationToken.None);

        Assert.Equal(FileWriteStatus.Exists, result.Status);
        Assert.Equal("first", await File.ReadAllTextAsync(_dir.Combine("a", "taken.bin")));
        Assert.Equal(["taken.bin"], Directory.GetFiles(_dir.Combine("a")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Write_WhileTheBodyArrives_NothingIsVisibleUnderAnyName_ThenOnlyTheFile()
    {
        Assert.True(NativeFile.UnnamedFilesWork, "this machine's kernel and /proc allow unnamed files");
        Directory.CreateDirectory(_dir.Combine("u"));
        var pipe = new Pipe();
        var body = SignedUploads.Body(3_000_000);
        long arrived = 0;
        var halfway = new TaskCompletionSource();
        var write = StoreAt(_dir.Path).WriteAsync(PathOf("u/file.bin"), pipe.Reader, body.Length, n =>
        {
            if ((arrived += n) >= 1_000_000)
            {
                halfway.TrySetResult();
            }
        }, CancellationToken.None);
        await pipe.Writer.WriteAsync(body.AsMemory(0, 1_500_000));
        await halfway.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(Directory.GetFileSystemEntries(_dir.Combine("u")));

        await pipe.Writer.WriteAsync(body.AsMemory(1_500_000));
        await pipe.Writer.CompleteAsync();
        Assert.Equal(FileWriteStatus.Stored, (await write).Status);
        Assert.Equal(["file.bin"], Directory.GetFileSystemEntries(_dir.Combine("u")).Select(Path.GetFileName));
        Assert.Equal(body, await File.ReadAllBytesAsync(_dir.Combine("u", "file.bin")));
    }

    [Fact]
    public async Task Write_WithNamedTempFiles_ShowsOnlyATempFileWhileTheBodyArrives()
    {
        Directory.CreateDirectory(_dir.Combine("n"));
        var pipe = new Pipe();
        var write = StoreAt(_dir.Path, unnamed: false).WriteAsync(PathOf("n/file.bin"), pipe.Reader, 2000, null, CancellationToken.None);
        await pipe.Writer.WriteAsync(new byte[1000]);

        var during = Directory.GetFileSystemEntries(_dir.Combine("n")).Select(Path.GetFileName).ToArray();
        await pipe.Writer.WriteAsync(new byte[1000]);
        await pipe.Writer.CompleteAsync();

        Assert.Equal(FileWriteStatus.Stored, (await write).Status);
        Assert.StartsWith(FileStore.TempPrefix, Assert.Single(during));
        Assert.Equal(["file.bin"], Directory.GetFileSystemEntries(_dir.Combine("n")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Write_ManyRacingOnOnePath_ExactlyOneIsStored_AndNothingElseIsLeft()
    {
        var store = StoreAt(_dir.Path);
        var bodies = Enumerable.Range(1, 16).Select(i => SignedUploads.Body(10_000 + i, seed: i)).ToArray();

        var results = await Task.WhenAll(bodies.Select(b => Task.Run(() => store.WriteAsync(PathOf("race/one.bin"), BodyOf(b), b.Length, null, CancellationToken.None))));

        var winner = Assert.Single(results, r => r.Status == FileWriteStatus.Stored);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(FileWriteStatus.Exists, r.Status));
        var stored = await File.ReadAllBytesAsync(_dir.Combine("race", "one.bin"));
        Assert.Equal(winner.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        Assert.Equal(["one.bin"], Directory.GetFileSystemEntries(_dir.Combine("race")).Select(Path.GetFileName));
    }

    [Fact]
    public void Exists_SeesFilesDirectoriesAndLinks_EvenDanglingOnes()
    {
        _dir.Write("e/file.bin", "x");
        Directory.CreateDirectory(_dir.Combine("e", "folder"));
        File.CreateSymbolicLink(_dir.Combine("e", "dangling.bin"), _dir.Combine("e", "nowhere.bin"));
        var store = StoreAt(_dir.Path);

        Assert.True(store.Exists(PathOf("e/file.bin")));
        Assert.True(store.Exists(PathOf("e/folder")));
        Assert.True(store.Exists(PathOf("e/dangling.bin")));
        Assert.False(store.Exists(PathOf("e/nowhere.bin")));
        Assert.False(store.Exists(PathOf("missing/file.bin")));
    }

    [Fact]
    public void SweepTempFiles_RemovesOnlyTempFiles()
    {
        _dir.Write("x/" + FileStore.TempPrefix + "abc", "partial");
        _dir.Write("x/kept.bin", "whole");

        var removed = StoreAt(_dir.Path).SweepTempFiles(DateTimeOffset.MaxValue);

        Assert.Equal(1, removed);
        Assert.Equal(["kept.bin"], Directory.GetFiles(_dir.Combine("x")).Select(Path.GetFileName));
    }

    public void Dispose() => _dir.Dispose();
}
