using System.Net;
using System.Net.Http.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Protection;

public sealed class RateLimitTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new("[rate_limit]\nenabled = true\nrequests_per_minute = 60\nburst = 3\nexempt = [\"10.9.0.0/16\"]\n");

    private async Task<HttpResponseMessage> PutAsync(HttpClient client, int n) =>
        await client.SendAsync(SignedUploads.SignedPut($"rate/{n}.bin", SignedUploads.Body(10), "application/octet-stream"));

    [Fact]
    public async Task Uploads_PastTheBurst_Get429WithRetryAfter_UntilTheBucketRefills()
    {
        _factory.Peer = IPAddress.Parse("198.51.100.20");
        using var client = _factory.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await PutAsync(client, i);
            Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        }

        using var limited = await PutAsync(client, 3);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal("urn:hmacportal:problem:rate-limited", (await limited.Content.ReadFromJsonAsync<Problem>())!.Type);
        Assert.False(File.Exists(Path.Combine(_factory.StoragePath, "rate", "3.bin")));

        _factory.Clock.Advance(TimeSpan.FromSeconds(1));
        using var refilled = await PutAsync(client, 4);
        using var again = await PutAsync(client, 5);
        Assert.Equal(HttpStatusCode.Created, refilled.StatusCode);
        Assert.Equal((HttpStatusCode)429, again.StatusCode);
    }

    [Fact]
    public async Task Limits_ArePerAddress_AndExemptNetworksAreNeverLimited()
    {
        using var client = _factory.CreateClient();
        _factory.Peer = IPAddress.Parse("198.51.100.21");
        for (var i = 0; i < 3; i++)
        {
            using var used = await PutAsync(client, i);
        }

        _factory.Peer = IPAddress.Parse("198.51.100.22");
        using var other = await PutAsync(client, 10);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        _factory.Peer = IPAddress.Parse("10.9.1.1");
        for (var i = 0; i < 10; i++)
        {
            using var exempt = await PutAsync(client, 100 + i);
            Assert.Equal(HttpStatusCode.Created, exempt.StatusCode);
        }
    }

    [Fact]
    public async Task ForgedForwardedFor_FromAnUntrustedAddress_DoesNotEscapeTheLimit()
    {
        _factory.Peer = IPAddress.Parse("198.51.100.23");
        using var client = _factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = SignedUploads.SignedPut($"forged/{i}.bin", SignedUploads.Body(10), "application/octet-stream");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(2, statuses.Count(s => s == (HttpStatusCode)429));
    }

    [Fact]
    public async Task Disabled_NothingIsLimited()
    {
        using var factory = new HmacPortalFactory();
        factory.Peer = IPAddress.Parse("198.51.100.24");
        using var client = factory.CreateClient();

        for (var i = 0; i < 30; i++)
        {
            using var response = await PutAsync(client, i);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private sealed record Problem(string Type, string Title, int Status, string Detail);

    public void Dispose() => _factory.Dispose();
}
