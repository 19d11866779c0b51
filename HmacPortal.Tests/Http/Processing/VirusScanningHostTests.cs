using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Processing;

/// <summary>The host with a real clamd: an infected upload is answered 403 from then on; with clamd gone and refuse set, uploads get 503.</summary>
public sealed class VirusScanningHostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task InfectedUpload_IsAnswered403_WithTheSignature()
    {
        using var clamd = await ClamdProcess.StartAsync();
        using var factory = new HmacPortalFactory($"[clamav]\nclamavenabled = true\nclamavsocket = \"{clamd.SocketPath}\"\n", server: "metricsenabled = true");
        using var client = factory.CreateClient();

        using (var put = await client.SendAsync(SignedUploads.SignedPut("v/eicar.com", ClamdProcess.Eicar)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.StartsWith("infected", (await factory.ProcessedAsync("v/eicar.com")).Scan, StringComparison.Ordinal);
        using var get = await client.GetAsync(new Uri("/upload/v/eicar.com", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        var problem = await get.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:hmacportal:problem:quarantined", problem.GetProperty("type").GetString());
        Assert.Contains(ClamdProcess.Signature, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("hmacportal_infected_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("hmacportal_scanner_available 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClamdUnreachable_WithRefuse_UploadsGet503WithRetryAfter()
    {
        using var dir = new TempDirectory();
        using var factory = new HmacPortalFactory($"[clamav]\nclamavenabled = true\nclamavsocket = \"{dir.Combine("no-clamd.sock")}\"\non_unavailable = \"refuse\"\n");
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var put = await client.SendAsync(SignedUploads.SignedPut($"v/{i}.txt", SignedUploads.Body(10, seed: i)));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // Each of the three scans fails; then the breaker opens and uploads wait.
        HttpResponseMessage? refused = null;
        using (var timeout = new CancellationTokenSource(Wait))
        {
            for (var i = 3; refused is null; i++)
            {
                await Task.Delay(50, timeout.Token);
                var put = await client.SendAsync(SignedUploads.SignedPut($"v/{i}.txt", SignedUploads.Body(10, seed: i)), timeout.Token);
                if (put.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    refused = put;
                }
                else
                {
                    put.Dispose();
                }
            }
        }

        using (refused)
        {
            Assert.Equal("30", refused.Headers.RetryAfter?.ToString());
            Assert.Equal("urn:hmacportal:problem:scanner-unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        Assert.Null((await factory.Services.GetRequiredService<IMetadataStore>().GetAsync("v/0.txt", CancellationToken.None))!.Processed);
    }
}
