using System.Net;
using System.Net.Http.Json;
using HmacPortal.Engine.Quotas;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Protection;

public sealed class QuotaTests
{
    /// <summary>ejabberd's directory for an uploader: the SHA-1 of the address, which is how the owner is known.</summary>
    private const string Owner = "45a6b241a242c97f0492d382c390dfa335aac986";

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string name, int size) =>
        await client.SendAsync(SignedUploads.SignedPut($"{Owner}/{Guid.NewGuid():N}/{name}", SignedUploads.Body(size), "application/octet-stream"));

    [Fact]
    public async Task Put_OverTheOwnersQuota_Gets413BeforeTheBody_AndTheRoomIsGivenBack()
    {
        using var factory = new HmacPortalFactory("[quotas]\nenabled = true\ndefault = \"1KB\"\n");
        using var client = factory.CreateClient();

        using var fits = await PutAsync(client, "a.bin", 600);
        using var over = await PutAsync(client, "b.bin", 600);
        using var rest = await PutAsync(client, "c.bin", 424);

        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("urn:hmacportal:problem:quota-exceeded", (await over.Content.ReadFromJsonAsync<Problem>())!.Type);
        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        Assert.Equal(0, factory.Services.GetRequiredService<QuotaLedger>().ReservedTotal);
    }

    [Fact]
    public async Task Put_AnAdminSetQuota_AppliesAtOnce()
    {
        using var factory = new HmacPortalFactory("[quotas]\nenabled = true\ndefault = \"1KB\"\n");
        using var client = factory.CreateClient();
        factory.Services.GetRequiredService<QuotaPolicy>().SetOverride(Owner, 10_000, "test");

        using var response = await PutAsync(client, "big.bin", 5000);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Put_WithQuotasOff_IsNotLimited()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();

        using var response = await PutAsync(client, "big.bin", 50_000);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Put_OverTheGlobalQuota_Gets507()
    {
        using var factory = new HmacPortalFactory("[quotas]\nenabled = true\ndefault = \"1GB\"\nglobal = \"2KB\"\n");
        using var client = factory.CreateClient();

        using var first = await client.SendAsync(SignedUploads.SignedPut("anyone/a.bin", SignedUploads.Body(1500), "application/octet-stream"));
        using var second = await client.SendAsync(SignedUploads.SignedPut("anyone/b.bin", SignedUploads.Body(1500), "application/octet-stream"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.InsufficientStorage, second.StatusCode);
        Assert.Contains("storage quota", (await second.Content.ReadFromJsonAsync<Problem>())!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_ManyAtOnceForOneOwner_NeverStoreMoreThanTheQuota()
    {
        using var factory = new HmacPortalFactory("[quotas]\nenabled = true\ndefault = \"10KB\"\n");
        using var client = factory.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => PutAsync(client, $"f{i}.bin", 1024)));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(6, responses.Count(r => r.StatusCode == HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal(10_240, await factory.Services.GetRequiredService<QuotaLedger>().UsedAsync(Owner, CancellationToken.None));
        Assert.Equal(0, factory.Services.GetRequiredService<QuotaLedger>().ReservedTotal);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private sealed record Problem(string Type, string Title, int Status, string Detail);
}
