using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Uploads;

public sealed class PutTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new();
    private readonly HttpClient _client;

    public PutTests()
    {
        _client = _factory.CreateClient();
    }

    public static TheoryData<string, bool> VectorsAndEncodings()
    {
        var data = new TheoryData<string, bool>();
        foreach (var vector in ProtocolVectors.All)
        {
            data.Add(vector.Name, false);
            data.Add(vector.Name, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorsAndEncodings))]
    public async Task Put_EveryVectorShapeInEveryEncoding_Returns201AndGetServesIt(string name, bool uppercase)
    {
        var vector = ProtocolVectors.Named(name);
        var body = SignedUploads.Body(vector.Size);
        var (param, mac) = TestSigner.Sign(vector.Scheme, SignedUploads.Secret, vector.SignedPath, vector.Size, vector.ContentType);
        var encoded = uppercase ? TestSigner.EjabberdEncode(vector.SignedPath) : TestSigner.ProsodyEncode(vector.SignedPath);
        var sendType = vector.Name == "v2-octet-fallback" ? null : vector.ContentType;

        using var put = await _client.SendAsync(SignedUploads.Put(encoded, $"{param}={mac}", body, sendType));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Empty(await put.Content.ReadAsByteArrayAsync());
        using var get = await _client.GetAsync(new Uri("/upload/" + encoded, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(vector.Size, get.Content.Headers.ContentLength);
        Assert.True(File.Exists(Path.Combine(_factory.StoragePath, vector.SignedPath)));
    }

    [Theory]
    [InlineData("v2-octet-fallback")]
    [InlineData("v2-plus-sign")]
    [InlineData("v-emoji-space")]
    public async Task Put_ExactSharedVector_Returns201(string name)
    {
        var vector = ProtocolVectors.Named(name);
        using var factory = new HmacPortalFactory();
        await File.WriteAllTextAsync(factory.ConfigPath, TestFiles.MinimalConfig(factory.RootPath).Replace(SignedUploads.Secret, vector.Secret, StringComparison.Ordinal));
        using var client = factory.CreateClient();
        var sendType = vector.Name == "v2-octet-fallback" ? null : vector.ContentType;

        using var put = await client.SendAsync(SignedUploads.Put(TestSigner.ProsodyEncode(vector.SignedPath), $"{vector.Scheme}={vector.MacHex}", SignedUploads.Body(vector.Size), sendType));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/upload/" + TestSigner.ProsodyEncode(vector.SignedPath)));
        // v signs no type, so it comes from the name; v2 stores the signed type, octet-stream when none was sent.
        var expected = vector.Scheme == "v" ? HmacPortal.Engine.Storage.ContentTypes.FromFileName(vector.SignedPath) : vector.ContentType;
        Assert.Equal(expected, head.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(ProtocolVectors.NegativeNames), MemberType = typeof(ProtocolVectors))]
    public async Task Put_NegativeCase_AnswersExpectedStatus(string name)
    {
        // The same one change as the shared negative case, made to a request signed with this server's secret.
        var negative = ProtocolVectors.Negative.Single(n => n.Name == name);
        var vector = ProtocolVectors.Named(negative.BasedOn);
        var (param, mac) = TestSigner.Sign(vector.Scheme, SignedUploads.Secret, vector.SignedPath, vector.Size, vector.ContentType);
        mac = name switch
        {
            "v-uppercase-hex" => mac.ToUpperInvariant(),
            "v-path-only-mac" => TestSigner.Mac(SignedUploads.Secret, vector.SignedPath),
            "v-wrong-key" => TestSigner.V("another-secret-0123456789", vector.SignedPath, vector.Size),
            "v-not-hex" => negative.MacHex,
            _ => mac,
        };

        using var put = await _client.SendAsync(SignedUploads.Put(
            TestSigner.ProsodyEncode(vector.SignedPath), $"{param}={mac}", SignedUploads.Body(negative.RequestSize), negative.RequestContentType ?? vector.ContentType));

        Assert.Equal(negative.Expect, (int)put.StatusCode);
        Assert.Equal(negative.Expect == 201, File.Exists(Path.Combine(_factory.StoragePath, vector.SignedPath)));
    }

    [Fact]
    public async Task Put_Twice_SecondIs409AndFirstIsKept()
    {
        var first = SignedUploads.Body(100, seed: 1);
        using var put1 = await _client.SendAsync(SignedUploads.SignedPut("u1/a.bin", first));
        using var put2 = await _client.SendAsync(SignedUploads.SignedPut("u1/a.bin", SignedUploads.Body(100, seed: 2)));

        Assert.Equal(HttpStatusCode.Created, put1.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, put2.StatusCode);
        Assert.Equal("application/problem+json", put2.Content.Headers.ContentType?.MediaType);
        Assert.Equal(first, await File.ReadAllBytesAsync(Path.Combine(_factory.StoragePath, "u1", "a.bin")));
    }

    [Fact]
    public async Task Put_ManyRacingOnOnePath_ExactlyOneWins()
    {
        var bodies = Enumerable.Range(0, 8).Select(i => SignedUploads.Body(64 * 1024, seed: i)).ToList();

        var responses = await Task.WhenAll(bodies.Select(async body =>
        {
            using var response = await _client.SendAsync(SignedUploads.SignedPut("race/file.bin", body));
            return (response.StatusCode, Body: body);
        }));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(winner.Body, await File.ReadAllBytesAsync(Path.Combine(_factory.StoragePath, "race", "file.bin")));
        Assert.Equal(["file.bin"], Directory.GetFiles(Path.Combine(_factory.StoragePath, "race")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Put_LargerThanLimit_Returns413()
    {
        using var factory = new HmacPortalFactory(server: "max_upload_size = \"1KB\"");
        using var client = factory.CreateClient();

        using var over = await client.SendAsync(SignedUploads.SignedPut("u/big.bin", SignedUploads.Body(1025)));
        using var at = await client.SendAsync(SignedUploads.SignedPut("u/ok.bin", SignedUploads.Body(1024)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("1 KiB", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, at.StatusCode);
    }

    [Fact]
    public async Task Put_BelowMinFreeBytes_Returns507AndLeavesNothing()
    {
        using var factory = new HmacPortalFactory(server: "min_free_bytes = \"100000TB\"");
        using var client = factory.CreateClient();

        using var put = await client.SendAsync(SignedUploads.SignedPut("u/file.bin", SignedUploads.Body(10)));

        Assert.Equal(HttpStatusCode.InsufficientStorage, put.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(factory.StoragePath, "u")));
    }

    [Theory]
    [InlineData("u/archive.tar.gz", HttpStatusCode.Created)]
    [InlineData("u/photo.JPG", HttpStatusCode.Created)]
    [InlineData("u/archive.gz", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("u/script.sh", HttpStatusCode.UnsupportedMediaType)]
    public async Task Put_AllowedExtensions_MatchWholeSuffix(string path, HttpStatusCode expected)
    {
        using var factory = new HmacPortalFactory("[uploads]\nallowed_extensions = [\".jpg\", \".tar.gz\"]\n");
        using var client = factory.CreateClient();

        using var put = await client.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(10)));

        Assert.Equal(expected, put.StatusCode);
        if (expected != HttpStatusCode.Created)
        {
            using var problem = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
            Assert.Contains(".tar.gz", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("u/..%2Fetc%2Fpasswd")]
    [InlineData("u/a%5C..%5Cb")]
    [InlineData("u/a%0D%0A.jpg")]
    [InlineData("u//a.jpg")]
    [InlineData("u/.hmacportal-tmp-1")]
    [InlineData("u/%ff%fe.jpg")]
    public async Task Put_HostilePath_Returns400AndWritesNothing(string encoded)
    {
        using var put = await _client.SendAsync(SignedUploads.Put(encoded, "v=" + new string('0', 64), SignedUploads.Body(3)));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_factory.StorageEntries());
    }

    [Fact]
    public async Task Put_OverLongName_Returns400()
    {
        var path = "u/" + new string('n', 300) + ".jpg";

        using var put = await _client.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(3)));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public async Task Put_WithoutAnyMac_Returns403()
    {
        using var put = await _client.SendAsync(SignedUploads.Put("u/a.jpg", string.Empty, SignedUploads.Body(3)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task Put_RecordsMetadata()
    {
        using var put = await _client.SendAsync(SignedUploads.SignedPut("45a6b241a242c97f0492d382c390dfa335aac986/r4nd0m/photo.png", SignedUploads.Body(20), "image/png"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var store = _factory.Services.GetService(typeof(HmacPortal.Engine.Metadata.IMetadataStore)) as HmacPortal.Engine.Metadata.IMetadataStore;
        var record = await store!.GetAsync("45a6b241a242c97f0492d382c390dfa335aac986/r4nd0m/photo.png", CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal(20, record.Size);
        Assert.Equal("image/png", record.ContentType);
        Assert.Equal("v2", record.Protocol);
        Assert.Equal("45a6b241a242c97f0492d382c390dfa335aac986", record.Owner);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SignedUploads.Body(20))), record.Sha256);
        Assert.Equal(_factory.Clock.GetUtcNow(), record.Created);
        Assert.StartsWith(Path.GetFullPath(_factory.DataPath), Path.GetFullPath(_factory.Services.GetRequiredService<HmacPortal.Engine.Metadata.Database>().Location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WithFileNamingHmac_StoresUnderDerivedNameAndGetStillWorks()
    {
        using var factory = new HmacPortalFactory(server: "file_naming = \"HMAC\"");
        using var client = factory.CreateClient();
        var body = SignedUploads.Body(33);

        using var put = await client.SendAsync(SignedUploads.SignedPut("uuid-9/secret plans.tar.gz", body));
        using var get = await client.GetAsync(new Uri("/upload/uuid-9/secret%20plans.tar.gz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        Assert.Contains("secret%20plans.tar.gz", get.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var stored = Assert.Single(factory.StorageFiles());
        Assert.EndsWith(".tar.gz", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", stored, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }
}
