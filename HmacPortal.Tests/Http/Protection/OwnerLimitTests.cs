using System.Net;
using System.Net.Http.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Protection;

/// <summary>Owners of unsigned uploads and the per-owner rate limit, through the real host.</summary>
public sealed class OwnerLimitTests : IDisposable
{
    private const string Alice = "6f1ed002ab5595859014ebf0951522d9f5a1b7bc";
    private const string Bob = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

    private readonly HmacPortalFactory _factory = new(
        "[rate_limit]\nenabled = true\nby_address = false\nby_owner = true\nrequests_per_minute = 60\nburst = 2\nexempt_owners = [\"office\"]\n\n"
        + $"[owners]\nmap = [\"{Alice} => alice@example.org\", \"10.0.0.0/8 => office\"]\n");

    public void Dispose() => _factory.Dispose();

    private async Task<HttpResponseMessage> PutAsync(string path, IPAddress from, string secret = SignedUploads.Secret)
    {
        _factory.Peer = from;
        using var client = _factory.CreateClient();
        return await client.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(10), "application/octet-stream", secret));
    }

    [Fact]
    public async Task OneOwner_FromManyAddresses_IsHeldToOneBudget_AndOtherOwnersAreNot()
    {
        using var first = await PutAsync($"{Alice}/s1/a.bin", IPAddress.Parse("198.51.100.1"));
        using var second = await PutAsync($"{Alice}/s2/a.bin", IPAddress.Parse("198.51.100.2"));
        using var third = await PutAsync($"{Alice}/s3/a.bin", IPAddress.Parse("2001:db8::3"));
        using var bob = await PutAsync($"{Bob}/s1/b.bin", IPAddress.Parse("198.51.100.1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.Equal("1", third.Headers.GetValues("Retry-After").Single());
        Assert.Equal("urn:hmacportal:problem:rate-limited", (await third.Content.ReadFromJsonAsync<Problem>())!.Type);
        Assert.False(File.Exists(Path.Combine(_factory.StoragePath, Alice, "s3", "a.bin")));
        Assert.Equal(HttpStatusCode.Created, bob.StatusCode);

        var record = await _factory.Services.GetRequiredService<IMetadataStore>().GetAsync($"{Alice}/s1/a.bin", CancellationToken.None);
        Assert.Equal("alice@example.org", record!.Owner);
    }

    [Fact]
    public async Task ARequestWithABadSignature_DoesNotSpendTheOwnersBudget()
    {
        for (var i = 0; i < 5; i++)
        {
            using var forged = await PutAsync($"{Alice}/forged{i}/a.bin", IPAddress.Parse("203.0.113.66"), "not-the-secret-0123456789abcdef");
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        using var first = await PutAsync($"{Alice}/ok1/a.bin", IPAddress.Parse("198.51.100.1"));
        using var second = await PutAsync($"{Alice}/ok2/a.bin", IPAddress.Parse("198.51.100.1"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }

    [Fact]
    public async Task UnsignedOwner_IsTheClientAddress_MappedNetworksShareAName_AndExemptOwnersAreNotLimited()
    {
        using var prosody = await PutAsync("slot1/photo.jpg", IPAddress.Parse("198.51.100.40"));
        Assert.Equal(HttpStatusCode.Created, prosody.StatusCode);
        var metadata = _factory.Services.GetRequiredService<IMetadataStore>();
        Assert.Equal("198.51.100.40", (await metadata.GetAsync("slot1/photo.jpg", CancellationToken.None))!.Owner);

        for (var i = 0; i < 6; i++)
        {
            using var office = await PutAsync($"office{i}/doc.pdf", IPAddress.Parse($"10.1.2.{i + 1}"));
            Assert.Equal(HttpStatusCode.Created, office.StatusCode);
        }

        Assert.Equal("office", (await metadata.GetAsync("office5/doc.pdf", CancellationToken.None))!.Owner);
    }

    [Fact]
    public async Task OwnerLimit_AppliesToTusPatches_OfTheSameOwner()
    {
        using var world = new PortalWorld();
        world.RateLimit.Enabled = true;
        world.RateLimit.ByOwner = true;
        world.RateLimit.Burst = 3;
        world.RateLimit.RequestsPerMinute = 60;
        var grant = await world.Portal.AuthorizeAsync(new HmacPortal.Engine.Portal.PortalAccount("alice", "alice", 1 << 20, 1 << 20), "a.bin", 30, null, CancellationToken.None);
        var created = await world.Tus.CreateAsync(new HmacPortal.Engine.Resumable.TusCreateRequest(
            "30", null, $"filename {Convert.ToBase64String("a.bin"u8)}", grant.Token, "203.0.113.5"));
        Assert.Equal(HmacPortal.Engine.Resumable.TusResult.Created, created.Result);
        Assert.Equal("alice", created.Session!.Owner);
        var id = HmacPortal.Engine.Resumable.UploadId.TryParse(created.Session.Id, out var parsed) ? parsed : throw new InvalidOperationException();

        var results = new List<HmacPortal.Engine.Resumable.TusOutcome>();
        for (var offset = 0; offset < 30; offset += 10)
        {
            results.Add(await world.Tus.PatchAsync(id, new HmacPortal.Engine.Resumable.TusPatchRequest(
                offset.ToString(System.Globalization.CultureInfo.InvariantCulture), HmacPortal.Engine.Resumable.TusService.OffsetContentType, null, null),
                System.IO.Pipelines.PipeReader.Create(new MemoryStream(new byte[10])), CancellationToken.None));
        }

        Assert.Equal(HmacPortal.Engine.Resumable.TusResult.Written, results[0].Result);
        Assert.Equal(HmacPortal.Engine.Resumable.TusResult.Written, results[1].Result);
        Assert.Equal(HmacPortal.Engine.Resumable.TusResult.RateLimited, results[2].Result);
        Assert.Equal(TimeSpan.FromSeconds(1), results[2].Wait);
        Assert.Equal(20, world.Sessions.Get(id)!.Offset);
    }

    private sealed record Problem(string Type, string Title, int Status, string Detail);
}
