using System.Net;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Protection;

public sealed class BanTests
{
    [Fact]
    public async Task RepeatedSignatureFailures_BanTheAddress_UntilTheBanEnds()
    {
        using var factory = new HmacPortalFactory(security: "ban_after = 3\nban_window = \"10m\"\nban_duration = \"30m\"") { Peer = IPAddress.Parse("203.0.113.50") };
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var bad = await client.SendAsync(SignedUploads.Put($"ban/{i}.bin", "v=" + new string('0', 64), SignedUploads.Body(10)));
            Assert.Equal(HttpStatusCode.Forbidden, bad.StatusCode);
        }

        using (var good = await client.SendAsync(SignedUploads.SignedPut("ban/good.bin", SignedUploads.Body(10))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, good.StatusCode);
            using var problem = JsonDocument.Parse(await good.Content.ReadAsStringAsync());
            Assert.Equal("urn:hmacportal:problem:banned", problem.RootElement.GetProperty("type").GetString());
        }

        factory.Peer = IPAddress.Parse("203.0.113.51");
        using (var other = await client.SendAsync(SignedUploads.SignedPut("ban/other.bin", SignedUploads.Body(10))))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        factory.Peer = IPAddress.Parse("203.0.113.50");
        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        using var later = await client.SendAsync(SignedUploads.SignedPut("ban/later.bin", SignedUploads.Body(10)));
        Assert.Equal(HttpStatusCode.Created, later.StatusCode);
    }
}
