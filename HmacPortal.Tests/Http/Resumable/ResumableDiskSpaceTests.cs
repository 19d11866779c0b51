using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Resumable;

/// <summary>
/// Resumable uploads on a storage volume that really runs out of space: the room for the rest of a
/// tus upload is reserved when its data starts to flow, and a chunked upload's room when it is
/// opened, so two uploads cannot both be promised the same free space, and an upload is never
/// refused for the room it already holds.
/// </summary>
public sealed class ResumableDiskSpaceTests : IDisposable
{
    private readonly SmallFileSystem _small = new("2m");
    private readonly HmacPortalFactory _factory = new("[uploads]\nanonymous_resumable = true\nchunk_size = \"512KB\"\n");
    private readonly HttpClient _client;

    public ResumableDiskSpaceTests()
    {
        File.WriteAllText(_factory.ConfigPath, File.ReadAllText(_factory.ConfigPath).Replace(
            $"storage_path = \"{_factory.RootPath}/files\"", $"storage_path = \"{_small.Path}\"\nmin_free_bytes = \"0B\"", StringComparison.Ordinal));
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _small.Dispose();
    }

    [Fact]
    public async Task TwoUploads_ThatTogetherDoNotFit_TheSecondIs507BeforeItsBytes_AndTheFirstCompletes()
    {
        var first = SignedUploads.Body(1_200_000);
        var firstUrl = await CreateAsync("first.bin", first.Length);
        var secondUrl = await CreateAsync("second.bin", 1_200_000);

        using var firstStart = await PatchAsync(firstUrl, 0, first[..400_000]);
        using var secondStart = await PatchAsync(secondUrl, 0, SignedUploads.Body(400_000, seed: 2));
        using var firstRest = await PatchAsync(firstUrl, 400_000, first[400_000..]);

        Assert.Equal(HttpStatusCode.NoContent, firstStart.StatusCode);
        Assert.Equal(HttpStatusCode.InsufficientStorage, secondStart.StatusCode);
        Assert.Equal("application/problem+json", secondStart.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await OffsetAsync(secondUrl));
        Assert.Equal(HttpStatusCode.NoContent, firstRest.StatusCode);
        var fileUrl = firstRest.Headers.GetValues("Upload-File-Url").Single();
        Assert.Equal(first, await _client.GetByteArrayAsync(new Uri(fileUrl, UriKind.Relative)));
    }

    [Fact]
    public async Task ResumedUpload_IsNotRefusedForTheRoomItAlreadyHolds()
    {
        // After the first request the volume's free space is less than the upload's rest, because
        // that rest is reserved for it: counting it again would refuse the upload's own bytes.
        var data = SignedUploads.Body(1_500_000);
        var url = await CreateAsync("resumed.bin", data.Length);

        using var start = await PatchAsync(url, 0, data[..500_000]);
        var free = new DriveInfo(_small.Path).AvailableFreeSpace;
        using var rest = await PatchAsync(url, 500_000, data[500_000..]);

        Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        Assert.True(free < data.Length - 500_000, $"free {free}: the rest was not reserved");
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(data, await _client.GetByteArrayAsync(new Uri(rest.Headers.GetValues("Upload-File-Url").Single(), UriKind.Relative)));
    }

    [Fact]
    public async Task TerminatedUpload_GivesItsReservedRoomBack()
    {
        var url = await CreateAsync("dropped.bin", 1_500_000);
        using var start = await PatchAsync(url, 0, SignedUploads.Body(300_000));
        var held = new DriveInfo(_small.Path).AvailableFreeSpace;

        using var terminate = await _client.SendAsync(Tus(HttpMethod.Delete, url));
        var after = new DriveInfo(_small.Path).AvailableFreeSpace;
        var next = SignedUploads.Body(1_500_000, seed: 3);
        var nextUrl = await CreateAsync("next.bin", next.Length);
        using var whole = await PatchAsync(nextUrl, 0, next);

        Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, terminate.StatusCode);
        Assert.True(after - held >= 1_500_000, $"free before {held}, after {after}");
        Assert.Equal(HttpStatusCode.NoContent, whole.StatusCode);
    }

    [Fact]
    public async Task ChunkedUploads_ThatTogetherDoNotFit_TheSecondIs507WhenOpened_AndTheFirstCompletes()
    {
        var body = SignedUploads.Body(1_200_000);
        using var first = await OpenChunkedAsync("chunked/first.bin", body.Length);
        using var second = await OpenChunkedAsync("chunked/second.bin", 1_200_000);
        var session = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_id").GetString()!;
        var sessionFiles = Directory.GetFiles(Path.Combine(_small.Path, ".hmacportal-sessions"), "*.bin");

        // The last chunk first, as clients may: the room for what comes before is already there.
        var chunks = new[] { (2, body[1_048_576..]), (0, body[..524_288]), (1, body[524_288..1_048_576]) };
        var answers = new List<HttpStatusCode>();
        foreach (var (number, data) in chunks)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, "/chunked-upload") { Content = new ByteArrayContent(data) };
            request.Headers.Add("X-Upload-Session-ID", session);
            request.Headers.Add("X-Chunk-Number", number.ToString(CultureInfo.InvariantCulture));
            using var answer = await _client.SendAsync(request);
            answers.Add(answer.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.InsufficientStorage, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Single(sessionFiles);
        Assert.All(answers, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"chunk answered {status}"));
        Assert.Equal(body, await _client.GetByteArrayAsync(new Uri("/upload/chunked/first.bin", UriKind.Relative)));
    }

    private Task<HttpResponseMessage> OpenChunkedAsync(string path, long size)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/chunked-upload?v=" + TestSigner.V(SignedUploads.Secret, path, size));
        request.Headers.TryAddWithoutValidation("X-Filename", path);
        request.Headers.Add("X-Total-Size", size.ToString(CultureInfo.InvariantCulture));
        return _client.SendAsync(request);
    }

    private static HttpRequestMessage Tus(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    private async Task<string> CreateAsync(string name, long length)
    {
        using var request = Tus(HttpMethod.Post, "/files/");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name)));
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private Task<HttpResponseMessage> PatchAsync(string url, long offset, byte[] data)
    {
        var request = Tus(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Content = new ByteArrayContent(data);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return _client.SendAsync(request);
    }

    private async Task<long> OffsetAsync(string url)
    {
        using var head = await _client.SendAsync(Tus(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        return long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }
}
