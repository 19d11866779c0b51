using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace HmacPortal.Tests.Http.Validation;

/// <summary>[validation] on real uploads: refused content is answered 415 and leaves nothing behind.</summary>
public sealed class ContentValidationTests : IDisposable
{
    private static readonly byte[] Program = [(byte)'M', (byte)'Z', 0x90, 0x00, .. new byte[2000]];
    private readonly HmacPortalFactory _factory = new("[validation]\ncheck_magic_bytes = true\nblocked_types = [\"application/x-executable\"]\n");
    private readonly HttpClient _client;

    public ContentValidationTests()
    {
        _client = _factory.CreateClient();
    }

    private async Task AssertNothingKeptAsync(string path)
    {
        Assert.Null(await _factory.Services.GetRequiredService<IMetadataStore>().GetAsync(path, CancellationToken.None));
        var left = _factory.StorageFiles();
        Assert.True(left.Count == 0, $"left behind: {string.Join(", ", left)}");
    }

    [Fact]
    public async Task Put_ProgramDeclaredAsAnImage_Is415_AndNothingIsKept()
    {
        using var put = await _client.SendAsync(SignedUploads.SignedPut("v/cat.jpg", Program, "image/jpeg"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, put.StatusCode);
        var problem = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:hmacportal:problem:type-not-accepted", problem.GetProperty("type").GetString());
        Assert.Contains("not the declared image/jpeg", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingKeptAsync("v/cat.jpg");
    }

    [Fact]
    public async Task Put_BlockedType_Is415_WhateverItIsCalled()
    {
        byte[] elf = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, .. new byte[100]];

        using var put = await _client.SendAsync(SignedUploads.SignedPut("v/notes.bin", elf));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, put.StatusCode);
        await AssertNothingKeptAsync("v/notes.bin");
    }

    [Fact]
    public async Task Put_RealImage_IsStored()
    {
        var png = TestImages.Encode(20, 20, SKEncodedImageFormat.Png);

        using var put = await _client.SendAsync(SignedUploads.SignedPut("v/real.png", png, "image/png"));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(png, await _client.GetByteArrayAsync(new Uri("/upload/v/real.png", UriKind.Relative)));
    }

    [Fact]
    public async Task ChunkedUpload_OfAProgramDeclaredAsAnImage_IsRefusedWhenComplete_AndDiscarded()
    {
        var open = new HttpRequestMessage(HttpMethod.Post, $"/chunked-upload?v2={TestSigner.V2(SignedUploads.Secret, "v/photo.png", Program.Length, "image/png")}")
        {
            Content = new ByteArrayContent([]),
        };
        open.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        open.Headers.Add("X-Filename", "v/photo.png");
        open.Headers.Add("X-Total-Size", Program.Length.ToString(CultureInfo.InvariantCulture));
        using var opened = await _client.SendAsync(open);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_id").GetString()!;

        var chunk = new HttpRequestMessage(HttpMethod.Put, "/chunked-upload") { Content = new ByteArrayContent(Program) };
        chunk.Headers.Add("X-Upload-Session-ID", session);
        chunk.Headers.Add("X-Chunk-Number", "0");
        using var refused = await _client.SendAsync(chunk);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("the upload was discarded", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(_factory.Services.GetRequiredService<SessionStore>().Get(UploadId.TryParse(session, out var id) ? id : default));
        await AssertNothingKeptAsync("v/photo.png");
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
