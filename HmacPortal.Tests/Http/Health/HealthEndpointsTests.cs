using System.Net;
using System.Text.Json;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Http.Health;

public sealed class HealthEndpointsTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new();

    [Fact]
    public async Task Health_AnswersPlainOk()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_Head_HasNoBody()
    {
        using var client = _factory.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Live_AnswersJsonHealthy()
    {
        using var client = _factory.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/health/live", UriKind.Relative)));

        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_ReportsStorageCheck()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var storage = json.RootElement.GetProperty("checks").GetProperty("storage");
        Assert.Equal("Healthy", storage.GetProperty("status").GetString());
        Assert.True(storage.GetProperty("data").GetProperty("free_bytes").GetInt64() > 0);
        Assert.Empty(_factory.StorageFiles(SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task Ready_WhenFreeSpaceBelowMinimum_Answers503()
    {
        using var factory = new HmacPortalFactory(server: "min_free_bytes = \"1000TB\"");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("min_free_bytes", json.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _factory.Dispose();
}
