using System.Net;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>Uploads to a storage volume that really runs out of space.</summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task Put_ThatDoesNotFit_Is507_LeavesNothing_AndDownloadsKeepWorking()
    {
        using var small = new SmallFileSystem("2m");
        using var factory = new HmacPortalFactory();
        await File.WriteAllTextAsync(factory.ConfigPath, TestFiles.MinimalConfig(factory.RootPath).Replace(
            $"storage_path = \"{factory.RootPath}/files\"", $"storage_path = \"{small.Path}\"\nmin_free_bytes = \"0B\"", StringComparison.Ordinal));
        using var client = factory.CreateClient();
        var first = SignedUploads.Body(1_200_000);

        using var fits = await client.SendAsync(SignedUploads.SignedPut("full/first.bin", first));
        using var tooBig = await client.SendAsync(SignedUploads.SignedPut("full/second.bin", SignedUploads.Body(1_200_000, seed: 2)));
        using var get = await client.GetAsync(new Uri("/upload/full/first.bin", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(HttpStatusCode.InsufficientStorage, tooBig.StatusCode);
        Assert.Equal("application/problem+json", tooBig.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["first.bin"], Directory.GetFiles(Path.Combine(small.Path, "full")).Select(Path.GetFileName));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(first, await get.Content.ReadAsByteArrayAsync());
    }
}
