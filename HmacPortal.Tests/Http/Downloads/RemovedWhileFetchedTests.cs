using System.IO.Compression;
using System.Text.Json;
using HmacPortal.Endpoints.Downloads;
using HmacPortal.Endpoints.Sharing;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Downloads;

/// <summary>
/// A file found by a download can be removed (expiry, a delete, a share's last download) before
/// the answer opens it. The download is then the 404 the address now is, not a 500; a share's
/// archive leaves the file out and stays whole.
/// </summary>
public sealed class RemovedWhileFetchedTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new();
    private readonly TempDirectory _dir = new();
    private readonly List<IServiceScope> _scopes = [];

    private static FileRecord Record(string path, long size) =>
        new(path, path, size, "image/jpeg", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "v2", null, new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), null);

    private (DefaultHttpContext Context, MemoryStream Body) Request(string method)
    {
        var scope = _factory.Services.CreateScope();
        _scopes.Add(scope);
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = method;
        var body = new MemoryStream();
        context.Response.Body = body;
        return (context, body);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task StoredFile_RemovedAfterItWasFound_Answers404_WithoutTheFilesHeaders(string method)
    {
        var path = _dir.Write("gone.jpg", "picture");
        var found = new FileInfo(path);
        var (context, body) = Request(method);
        var result = DownloadEndpoints.SendStoredFile(context, Record("s/gone.jpg", 7), found, "gone.jpg", attachment: true, framedBySite: false);
        File.Delete(path);

        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Content-Disposition"));
        Assert.False(context.Response.Headers.ContainsKey("Cache-Control"));
        Assert.False(context.Response.Headers.ContainsKey("ETag"));
        using var problem = JsonDocument.Parse(body.ToArray());
        Assert.Equal("urn:hmacportal:problem:not-found", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task StoredFile_StillThere_IsServedWhole()
    {
        var path = _dir.Write("here.jpg", "picture");
        var (context, body) = Request("GET");

        await DownloadEndpoints.SendStoredFile(context, Record("s/here.jpg", 7), new FileInfo(path), "here.jpg", attachment: true, framedBySite: false)
            .ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("picture", System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task FileRemovedWhenItsBodyIsOpened_AfterTheHeadersWereSet_Answers404_WithoutThem()
    {
        var (context, body) = Request("GET");
        var result = new StoredFileResult(new OpensAGoneFile());

        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Content-Range"));
        Assert.False(context.Response.Headers.ContainsKey("Last-Modified"));
        Assert.NotEqual(7, context.Response.ContentLength);
        Assert.Contains("removed while it was being fetched", System.Text.Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShareArchive_LeavesOutAFileRemovedSinceItWasFound_AndStaysWhole()
    {
        var kept = new FileInfo(_dir.Write("kept.txt", "still here"));
        var gone = new FileInfo(_dir.Write("gone.txt", "removed"));
        File.Delete(gone.FullName);
        using var output = new MemoryStream();

        await ShareEndpoints.WriteArchiveAsync(output, [(Record("s/gone.txt", 7), gone), (Record("s/kept.txt", 10), kept)], CancellationToken.None);

        output.Position = 0;
        using var zip = new ZipArchive(output, ZipArchiveMode.Read);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("kept.txt", entry.FullName);
        using var reader = new StreamReader(entry.Open());
        Assert.Equal("still here", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task ShareArchive_OfAFileRecordedBefore1980_DatesItsEntryAtTheZipFormatsEarliest()
    {
        var old = new FileInfo(_dir.Write("old.txt", "from long ago"));
        using var output = new MemoryStream();

        await ShareEndpoints.WriteArchiveAsync(output, [(Record("s/old.txt", 13) with { Created = DateTimeOffset.UnixEpoch }, old)], CancellationToken.None);

        output.Position = 0;
        using var zip = new ZipArchive(output, ZipArchiveMode.Read);
        Assert.Equal(1980, Assert.Single(zip.Entries).LastWriteTime.Year);
    }

    public void Dispose()
    {
        _scopes.ForEach(scope => scope.Dispose());
        _factory.Dispose();
        _dir.Dispose();
    }

    /// <summary>A file answer that has set its headers and finds the file gone when it opens it for the body.</summary>
    private sealed class OpensAGoneFile : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status206PartialContent;
            httpContext.Response.ContentLength = 7;
            httpContext.Response.Headers.ContentRange = "bytes 0-6/7";
            httpContext.Response.Headers.LastModified = "Thu, 01 Jan 1970 00:00:00 GMT";
            throw new FileNotFoundException("the file went", "/nowhere/gone.jpg");
        }
    }
}
