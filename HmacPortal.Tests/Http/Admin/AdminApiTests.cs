using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Portal;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HmacPortal.Tests.Http.Admin;

public sealed class AdminApiTests : IDisposable
{
    private const string Token = "api-token-0123456789abcdef0123456789abcdef";
    private const string AdminPassword = "api admin password";
    private const string UserPassword = "api user password";
    private readonly HmacPortalFactory _factory = new(
        $"[admin]\npassword_hash = \"{PasswordHash.Create(AdminPassword)}\"\napi_token = \"{Token}\"\n\n[portal.users]\ncarol = \"{PasswordHash.Create(UserPassword)}\"\n");

    private HttpClient NewClient(string? token = null)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static TheoryData<string> Routes => ["/admin/api/stats", "/admin/api/files", "/admin/api/bans", "/admin/api/users", "/admin/api/health", "/admin/api/config"];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Api_WithoutCredentials_Answers401_WhateverForwardedHeadersSay(string route)
    {
        _factory.Peer = IPAddress.Loopback;
        using var client = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");
        request.Headers.Add("X-Real-IP", "127.0.0.1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("wrong-token-0123456789abcdef0123456789abcdef")]
    [InlineData(Token + "x")]
    [InlineData("")]
    public async Task Api_WithAWrongToken_Answers401(string token)
    {
        using var client = NewClient(token);

        using var response = await client.GetAsync(new Uri("/admin/api/stats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WithTheToken_GivesStatsFilesAndHealth_AndDeletes()
    {
        using var client = NewClient(Token);
        await PortalHttp.UploadAsync(_factory.Services, client, new PortalAccount("carol", "carol", 1L << 30, 1L << 30), "report.pdf", SignedUploads.Body(1500));

        var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/stats", UriKind.Relative));
        var files = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/files?owner=carol", UriKind.Relative));
        var health = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/health", UriKind.Relative));
        var users = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/users", UriKind.Relative));
        var config = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/api/config", UriKind.Relative));

        Assert.Equal(1, stats.GetProperty("files").GetInt32());
        Assert.Equal(1500, stats.GetProperty("storedBytes").GetInt64());
        var item = Assert.Single(files.GetProperty("items").EnumerateArray());
        var path = item.GetProperty("path").GetString()!;
        Assert.EndsWith("/report.pdf", path, StringComparison.Ordinal);
        Assert.True(health.GetProperty("storageFreeBytes").GetInt64() > 0);
        var carol = Assert.Single(users.GetProperty("users").EnumerateArray());
        Assert.Equal(("carol", 1500), (carol.GetProperty("name").GetString(), carol.GetProperty("used").GetInt64()));
        Assert.True(config.GetProperty("usable").GetBoolean());
        Assert.DoesNotContain("secret", config.ToString(), StringComparison.OrdinalIgnoreCase);

        using var delete = await client.DeleteAsync(new Uri($"/admin/api/files/{path}", UriKind.Relative));
        using var again = await client.DeleteAsync(new Uri($"/admin/api/files/{path}", UriKind.Relative));
        using var download = await client.GetAsync(new Uri($"/upload/{path}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
    }

    [Fact]
    public async Task Api_WithAnAdminCookie_Works_AndWithAPortalUsersCookie_Answers403()
    {
        using var admin = NewClient();
        using (await FormPosts.PostAsync(admin, "/admin/login", "/admin/login", new Dictionary<string, string> { ["password"] = AdminPassword }))
        {
        }

        using var user = NewClient();
        using (await FormPosts.PostAsync(user, "/portal/login", "/portal/login", new Dictionary<string, string> { ["username"] = "carol", ["password"] = UserPassword }))
        {
        }

        using var asAdmin = await admin.GetAsync(new Uri("/admin/api/bans", UriKind.Relative));
        using var asUser = await user.GetAsync(new Uri("/admin/api/bans", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
    }

    [Fact]
    public async Task Api_WithoutATokenConfigured_RefusesEveryBearer()
    {
        using var factory = new HmacPortalFactory();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", string.Empty.PadRight(40, 'a'));

        using var response = await client.GetAsync(new Uri("/admin/api/stats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void Config_AShortToken_IsRefused()
    {
        Assert.Contains(ConfigRules.Check(new AdminOptions { ApiToken = "short" }), p => p.Name == "api_token");
        Assert.Empty(ConfigRules.Check(new AdminOptions { ApiToken = Token }));
    }

    public void Dispose() => _factory.Dispose();
}
