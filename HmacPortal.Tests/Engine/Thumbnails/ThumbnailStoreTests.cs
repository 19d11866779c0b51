using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Thumbnails;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;

namespace HmacPortal.Tests.Engine.Thumbnails;

public sealed class ThumbnailStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ThumbnailsOptions _options = new();
    private readonly ThumbnailStore _store;

    public ThumbnailStoreTests()
    {
        Directory.CreateDirectory(_dir.Combine("files"));
        _store = new ThumbnailStore(
            new TestOptionsMonitor<ThumbnailsOptions>(_options),
            new TestOptionsMonitor<ServerOptions>(new ServerOptions { StoragePath = _dir.Combine("files") }),
            NullLogger<ThumbnailStore>.Instance);
    }

    private async Task<StoragePath> StoreAsync(string path, byte[] content)
    {
        var full = _dir.Combine("files", path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllBytesAsync(full, content);
        return StoragePath.TryCreate(path, out var parsed, out _) ? parsed : throw new ArgumentException(path);
    }

    private async Task<(int Width, int Height, SKEncodedImageFormat Format)> ThumbnailOfAsync(StoragePath stored) =>
        TestImages.Describe(await File.ReadAllBytesAsync(_store.Find(stored)!.FullName));

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "image/png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "image/jpeg")]
    [InlineData(SKEncodedImageFormat.Webp, "image/webp")]
    public async Task Image_GetsAJpegThumbnailNoLargerThanSize_KeepingItsShape(SKEncodedImageFormat format, string type)
    {
        var stored = await StoreAsync("p/photo", TestImages.Encode(1200, 800, format));

        Assert.True(_store.Make(stored, type, CancellationToken.None));

        Assert.Equal((320, 213, SKEncodedImageFormat.Jpeg), await ThumbnailOfAsync(stored));
    }

    [Fact]
    public async Task SmallImage_IsNotEnlarged_AndExifOrientationIsApplied()
    {
        var stored = await StoreAsync("p/turned.jpg", TestImages.JpegTurnedAQuarter(200, 100));

        Assert.True(_store.Make(stored, "image/jpeg", CancellationToken.None));

        var (width, height, _) = await ThumbnailOfAsync(stored);
        Assert.Equal((100, 200), (width, height));
    }

    [Fact]
    public async Task DecompressionBomb_GetsNoThumbnail_AndIsNeverDecoded()
    {
        var bomb = TestImages.PngBomb(60_000, 60_000);
        Assert.True(bomb.Length < 10_000);
        var stored = await StoreAsync("p/bomb.png", bomb);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        Assert.False(_store.Make(stored, "image/png", CancellationToken.None));

        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20);
        Assert.Null(_store.Find(stored));
    }

    [Fact]
    public async Task ImageOverMaxPixels_GetsNoThumbnail()
    {
        _options.MaxPixels = 1000;
        var stored = await StoreAsync("p/photo.png", TestImages.Encode(40, 40, SKEncodedImageFormat.Png));

        Assert.False(_store.Make(stored, "image/png", CancellationToken.None));
        Assert.Null(_store.Find(stored));
    }

    [Theory]
    [InlineData("image/png", "not a picture at all")]
    [InlineData("text/plain", "")]
    [InlineData("application/pdf", "")]
    public async Task NotAnImage_GetsNoThumbnail(string type, string content)
    {
        var stored = await StoreAsync("p/file", content.Length > 0 ? System.Text.Encoding.UTF8.GetBytes(content) : TestImages.Encode(50, 50, SKEncodedImageFormat.Png));

        Assert.False(_store.Make(stored, type, CancellationToken.None));
        Assert.Null(_store.Find(stored));
    }

    [Fact]
    public async Task Disabled_MakesNone_AndDeleteRemovesOne()
    {
        var stored = await StoreAsync("p/photo.png", TestImages.Encode(64, 64, SKEncodedImageFormat.Png));
        Assert.True(_store.Make(stored, "image/png", CancellationToken.None));

        _store.Delete(stored);
        Assert.Null(_store.Find(stored));

        _options.Enabled = false;
        Assert.False(_store.Make(stored, "image/png", CancellationToken.None));
        Assert.Null(_store.Find(stored));
    }

    [Fact]
    public void Delete_OfAFileThatNeverHadOne_DoesNothing()
    {
        Assert.True(StoragePath.TryCreate("p/none.bin", out var stored, out _));

        _store.Delete(stored);

        Assert.False(Directory.Exists(_store.Root));
    }

    public void Dispose() => _dir.Dispose();
}
