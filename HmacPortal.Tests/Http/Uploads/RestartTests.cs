using System.Net;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>What a start finds after a crash between a file's write and its record.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Start_AfterCrashBetweenWriteAndRecord_ServesTheFileAndSweepsTempFiles()
    {
        using var factory = new HmacPortalFactory();
        Directory.CreateDirectory(Path.Combine(factory.StoragePath, "crash"));
        await File.WriteAllTextAsync(Path.Combine(factory.StoragePath, "crash", "whole.txt"), "renamed, not recorded");
        await File.WriteAllTextAsync(Path.Combine(factory.StoragePath, "crash", ".hmacportal-tmp-dead"), "half");

        using var client = factory.CreateClient();
        using var get = await client.GetAsync(new Uri("/upload/crash/whole.txt", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("renamed, not recorded", await get.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["whole.txt"], Directory.GetFiles(Path.Combine(factory.StoragePath, "crash")).Select(Path.GetFileName));
    }
}
