using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Uploads;

/// <summary>JWT-authorised PUTs (mod_http_file_share style) and the Go server's v3 links, over HTTP.</summary>
public sealed class TokenUploadTests : IDisposable
{
    private const string JwtSecret = "jwt-secret-0123456789abcdef";
    private readonly HmacPortalFactory _factory = new(
        server: "ephemeral_ttl = \"2h\"", security: $"enablejwt = true\njwtsecret = \"{JwtSecret}\"\njwtexpiration = \"10m\"\nv3_grace = \"2m\"");
    private readonly HttpClient _client;

    public TokenUploadTests()
    {
        _client = _factory.CreateClient();
    }

    private long Now => _factory.Clock.GetUtcNow().ToUnixTimeSeconds();

    private string Token(long size = 10, string slot = "slot-1", string filename = "pic.png", long? exp = null) => TestSigner.Jwt(JwtSecret, new
    {
        sub = "romeo@example.org",
        iat = Now,
        exp = exp ?? Now + 300,
        slot,
        filename,
        filesize = size,
        filetype = "image/png",
    });

    private Task<HttpResponseMessage> PutWithTokenAsync(string path, string token, int size = 10)
    {
        var request = SignedUploads.Put(path, string.Empty, SignedUploads.Body(size));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _client.SendAsync(request);
    }

    [Theory]
    [InlineData("ephemeral", null, 7200L)]
    [InlineData("ephemeral", 600L, 600L)]
    [InlineData("message", null, null)]
    [InlineData("permanent", null, null)]
    public async Task Jwt_Purpose_EphemeralFilesExpireAfterTheConfiguredEphemeralTtl_UnlessTheGrantSaysWhen(string purpose, long? expiresIn, long? expectedSeconds)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "romeo@example.org", ["iat"] = Now, ["exp"] = Now + 300, ["slot"] = "slot-p", ["filename"] = $"{purpose}.bin", ["filesize"] = 10, ["purpose"] = purpose,
        };
        if (expiresIn is { } seconds)
        {
            claims["expires"] = Now + seconds;
        }

        using var put = await PutWithTokenAsync($"slot-p/{purpose}.bin", TestSigner.Jwt(JwtSecret, claims));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var store = _factory.Services.GetRequiredService<HmacPortal.Engine.Metadata.IMetadataStore>();
        var record = (await store.GetAsync($"slot-p/{purpose}.bin", CancellationToken.None))!;
        Assert.Equal(expectedSeconds is { } s ? _factory.Clock.GetUtcNow().AddSeconds(s) : null, record.Expires);
    }

    [Fact]
    public async Task Jwt_UnknownPurpose_Is401()
    {
        var token = TestSigner.Jwt(JwtSecret, new { sub = "romeo@example.org", iat = Now, exp = Now + 300, slot = "slot-1", filename = "pic.png", filesize = 10, purpose = "forever" });

        using var put = await PutWithTokenAsync("slot-1/pic.png", token);

        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Contains("purpose must be one of message, profile, ephemeral, permanent", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_Valid_Returns201AndRecordsOwner()
    {
        using var put = await PutWithTokenAsync("slot-1/pic.png", Token());
        using var get = await _client.GetAsync(new Uri("/upload/slot-1/pic.png", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        var store = (HmacPortal.Engine.Metadata.IMetadataStore)_factory.Services.GetService(typeof(HmacPortal.Engine.Metadata.IMetadataStore))!;
        Assert.Equal("romeo@example.org", (await store.GetAsync("slot-1/pic.png", CancellationToken.None))!.Owner);
    }

    [Fact]
    public async Task Jwt_WrongSignature_Returns401WithBearerChallenge()
    {
        using var put = await PutWithTokenAsync("slot-1/pic.png", TestSigner.Jwt("another-secret-0123456789", new { sub = "x" }));

        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal("Bearer", Assert.Single(put.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Jwt_Expired_Returns410()
    {
        var token = Token();
        _factory.Clock.Advance(TimeSpan.FromMinutes(6));

        using var put = await PutWithTokenAsync("slot-1/pic.png", token);

        Assert.Equal(HttpStatusCode.Gone, put.StatusCode);
    }

    [Fact]
    public async Task Jwt_OtherPath_Returns400()
    {
        using var put = await PutWithTokenAsync("slot-2/pic.png", Token());

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public async Task Jwt_OtherSize_Returns413()
    {
        using var put = await PutWithTokenAsync("slot-1/pic.png", Token(size: 10), size: 11);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
    }

    [Fact]
    public async Task V3_WithinGrace_Returns201_AfterGrace_Returns403()
    {
        var expires = Now + 60;
        string Query(string path) => $"v3={TestSigner.V3(SignedUploads.Secret, path, expires)}&expires={expires.ToString(CultureInfo.InvariantCulture)}";

        _factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var inGrace = await _client.SendAsync(SignedUploads.Put("go/a.bin", Query("go/a.bin"), SignedUploads.Body(5)));
        _factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var late = await _client.SendAsync(SignedUploads.Put("go/b.bin", Query("go/b.bin"), SignedUploads.Body(5)));

        Assert.Equal(HttpStatusCode.Created, inGrace.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
