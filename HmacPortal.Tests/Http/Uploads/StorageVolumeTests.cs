using System.Net;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>
/// The storage directory is there but is not the volume the records describe: the mount point of a
/// volume that is not mounted (an empty directory), or another volume. Nothing is written into it,
/// no record is dropped, and everything works again once the volume is back, without a restart.
/// </summary>
public sealed class StorageVolumeTests
{
    [Fact]
    public async Task WhileAnEmptyDirectoryStandsInForTheVolume_UploadsAndDownloadsAre503_NothingIsWritten_AndTheVolumeComesBack()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();
        var body = SignedUploads.Body(1000);
        using (var first = await client.SendAsync(SignedUploads.SignedPut("vol/kept.bin", body)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(factory.StoragePath, StorageVolumeGuard.MarkerName)), "the storage carries its volume marker");
        var away = Unmount(factory.StoragePath);

        using var put = await client.SendAsync(SignedUploads.SignedPut("vol/during.bin", SignedUploads.Body(10)));
        using var get = await client.GetAsync(new Uri("/upload/vol/kept.bin", UriKind.Relative));
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
        Assert.Contains("urn:hmacportal:problem:storage-unavailable", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("volume marker", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(factory.StoragePath, "*", SearchOption.AllDirectories));

        Mount(away, factory.StoragePath);
        using var after = await client.SendAsync(SignedUploads.SignedPut("vol/after.bin", SignedUploads.Body(10)));
        using var readyAgain = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.Equal(body, await client.GetByteArrayAsync(new Uri("/upload/vol/kept.bin", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }

    [Fact]
    public async Task AStart_WithTheVolumeNotMounted_DropsNoRecord_AndReconcilesOnceItIsMounted()
    {
        // The first run stores into the second's directories; the second then starts on them, as a
        // restart (a reboot where the mount came late) finds them.
        using var second = new HmacPortalFactory();
        var body = SignedUploads.Body(1000);
        using (var first = new HmacPortalFactory())
        {
            await File.WriteAllTextAsync(first.ConfigPath, (await File.ReadAllTextAsync(first.ConfigPath))
                .Replace(first.StoragePath, second.StoragePath, StringComparison.Ordinal)
                .Replace(first.DataPath, second.DataPath, StringComparison.Ordinal));
            using var client = first.CreateClient();
            using var put = await client.SendAsync(SignedUploads.SignedPut("vol/kept.bin", body));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var away = Unmount(second.StoragePath);
        using var restarted = second.CreateClient();
        var store = second.Services.GetRequiredService<IMetadataStore>();

        using var during = await restarted.GetAsync(new Uri("/upload/vol/kept.bin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal("v", (await store.GetAsync("vol/kept.bin", CancellationToken.None))?.Protocol);

        // A crash's leftover on the volume: the reconciliation that waited for the volume sweeps it.
        var leftover = Path.Combine(away, "vol", FileStore.TempPrefix + "dead");
        await File.WriteAllTextAsync(leftover, "half");
        Mount(away, second.StoragePath);
        second.Clock.Advance(TimeSpan.FromSeconds(31));
        var swept = Path.Combine(second.StoragePath, "vol", FileStore.TempPrefix + "dead");
        for (var wait = 0; wait < 100 && File.Exists(swept); wait++)
        {
            await Task.Delay(100);
        }

        Assert.False(File.Exists(swept), "the postponed reconciliation ran once the volume was back");

        Assert.Equal(body, await restarted.GetByteArrayAsync(new Uri("/upload/vol/kept.bin", UriKind.Relative)));
        var record = await store.GetAsync("vol/kept.bin", CancellationToken.None);
        Assert.Equal(("v", 1000L), (record?.Protocol, record?.Size));
    }

    [Fact]
    public async Task AnotherVolumesMarker_Is503_UntilTheRightVolumeIsBack()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();
        using (var first = await client.SendAsync(SignedUploads.SignedPut("vol/kept.bin", SignedUploads.Body(10))))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var away = Unmount(factory.StoragePath);
        await File.WriteAllTextAsync(Path.Combine(factory.StoragePath, StorageVolumeGuard.MarkerName), "another-volume");

        using var put = await client.SendAsync(SignedUploads.SignedPut("vol/other.bin", SignedUploads.Body(10)));
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
        Assert.Contains("another volume", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([StorageVolumeGuard.MarkerName], Directory.GetFileSystemEntries(factory.StoragePath).Select(Path.GetFileName));
        Directory.Delete(factory.StoragePath, recursive: true);
        Mount(away, factory.StoragePath);
        using var after = await client.SendAsync(SignedUploads.SignedPut("vol/other.bin", SignedUploads.Body(10)));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    [Fact]
    public async Task AResumableUpload_WhileItsVolumeIsNotMounted_Is503NotGone_AndResumesOnceItIsBack()
    {
        // A 404 would make a tus client give the upload up and start over.
        using var factory = new HmacPortalFactory("[uploads]\nanonymous_resumable = true\n");
        using var client = factory.CreateClient();
        var body = SignedUploads.Body(1000);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/files/");
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "1000");
        create.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String("resumed.bin"u8.ToArray()));
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var url = created.Headers.Location!.ToString();
        var away = Unmount(factory.StoragePath);

        using var during = await client.SendAsync(Tus(HttpMethod.Head, url));
        Mount(away, factory.StoragePath);
        using var patch = Tus(HttpMethod.Patch, url);
        patch.Headers.Add("Upload-Offset", "0");
        patch.Content = new ByteArrayContent(body);
        patch.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/offset+octet-stream");
        using var after = await client.SendAsync(patch);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, after.StatusCode);
        Assert.Equal(body, await client.GetByteArrayAsync(new Uri(after.Headers.GetValues("Upload-File-Url").Single(), UriKind.Relative)));
    }

    [Fact]
    public async Task ScheduledJobs_WhileTheVolumeIsNotMounted_DoNothing_AndSaySo_InsteadOfFailing()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();
        var metadata = factory.Services.GetRequiredService<IMetadataStore>();
        var file = await factory.StoreExpiredAsync();
        var logger = new ListLogger<RecurringJobs>();
        var jobs = ActivatorUtilities.CreateInstance<RecurringJobs>(factory.Services, logger);
        var away = Unmount(factory.StoragePath);

        // Each completes, so Hangfire records no failure.
        await jobs.ExpiryAsync(CancellationToken.None);
        await jobs.SweepAsync(CancellationToken.None);
        await jobs.DiskWatchAsync(CancellationToken.None);
        await jobs.CatchUpAsync(CancellationToken.None);
        await jobs.DedupCollectAsync(CancellationToken.None);

        var waited = logger.Events.Where(e => e.Id.Id == 7012).Select(e => e.Message).ToList();
        Assert.Equal(5, waited.Count);
        Assert.All(waited, message => Assert.Contains("storage is unavailable", message, StringComparison.Ordinal));
        Assert.NotNull(await metadata.GetAsync("slot/old.bin", CancellationToken.None));

        Mount(away, factory.StoragePath);
        await jobs.ExpiryAsync(CancellationToken.None);

        Assert.Equal(5, logger.Events.Count(e => e.Id.Id == 7012));
        Assert.Null(await metadata.GetAsync("slot/old.bin", CancellationToken.None));
        Assert.False(File.Exists(file));
    }

    private static HttpRequestMessage Tus(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    /// <summary>What unmounting the storage's volume leaves: an empty mount point. Returns where the volume's files are kept meanwhile.</summary>
    private static string Unmount(string storage)
    {
        var away = storage + ".unmounted";
        Directory.Move(storage, away);
        Directory.CreateDirectory(storage);
        return away;
    }

    private static void Mount(string away, string storage)
    {
        if (Directory.Exists(storage))
        {
            Directory.Delete(storage);
        }

        Directory.Move(away, storage);
    }
}
