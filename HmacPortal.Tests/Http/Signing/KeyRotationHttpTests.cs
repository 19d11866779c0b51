using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HmacPortal.Engine.Audit;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Signing;

public sealed class KeyRotationHttpTests : IDisposable
{
    private const string Token = "api-token-0123456789abcdef0123456789abcdef";
    private readonly HmacPortalFactory _factory = new(
        $"[admin]\napi_token = \"{Token}\"\n\n[key_rotation]\nenabled = true\nrotation_interval = \"30d\"\ngrace_period = \"2h\"\n");

    public void Dispose() => _factory.Dispose();

    private HttpClient Admin()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    private async Task<HttpStatusCode> PutAsync(HttpClient client, string path, string secret)
    {
        using var response = await client.SendAsync(SignedUploads.SignedPut(path, SignedUploads.Body(64), "text/plain", secret));
        return response.StatusCode;
    }

    [Fact]
    public async Task RotationFromTheApi_NewSecretWorksAtOnce_OldOneOnlyForTheGracePeriod()
    {
        using var client = _factory.CreateClient();
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.Created, await PutAsync(client, "a/before.txt", SignedUploads.Secret));

        using var rotate = await admin.PostAsync(new Uri("/admin/api/keys/rotate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.Equal("no-store", rotate.Headers.CacheControl?.ToString());
        using var body = JsonDocument.Parse(await rotate.Content.ReadAsStringAsync());
        var secret = body.RootElement.GetProperty("secret").GetString()!;
        Assert.Equal(64, secret.Length);

        Assert.Equal(HttpStatusCode.Created, await PutAsync(client, "a/new-key.txt", secret));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(client, "a/old-key-in-grace.txt", SignedUploads.Secret));

        _factory.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.Forbidden, await PutAsync(client, "a/old-key-after-grace.txt", SignedUploads.Secret));
        Assert.Equal(HttpStatusCode.Created, await PutAsync(client, "a/new-key-later.txt", secret));

        // Files stored under the old key are still served: rotation concerns signing, not downloads.
        using var download = await client.GetAsync(new Uri("/upload/a/before.txt", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);

        var keys = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/keys", UriKind.Relative));
        Assert.Equal(2, keys.GetProperty("keys").GetArrayLength());
        Assert.DoesNotContain(SignedUploads.Secret, keys.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, keys.ToString(), StringComparison.Ordinal);

        var audit = _factory.Services.GetRequiredService<AuditTrail>().Query("key", null, 0, 10).Entries;
        Assert.Contains(audit, e => e.Action == "key.rotated");
        Assert.Contains(audit, e => e.Action == "key.revealed");
        Assert.DoesNotContain(audit, e => e.Detail.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyringFile_IsWrittenAtStart_OwnerOnly()
    {
        using var client = _factory.CreateClient();
        var ring = Path.Combine(_factory.DataPath, "keyring.json");

        Assert.True(File.Exists(ring));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ring));
        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
