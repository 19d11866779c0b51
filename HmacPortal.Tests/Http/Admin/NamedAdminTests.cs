using System.Net;
using HmacPortal.Engine.Audit;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Admin;

public sealed class NamedAdminTests : IDisposable
{
    private readonly HmacPortalFactory _factory = new(
        $"[admin]\npassword_hash = \"{PasswordHash.Create("main admin password")}\"\n\n[admin.users]\ncarol = \"{PasswordHash.Create("carol's admin password")}\"\n");

    private HttpClient NewClient() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password) =>
        FormPosts.PostAsync(client, "/admin/login", "/admin/login", new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = "/admin/files",
        });

    [Theory]
    [InlineData("carol", "carol's admin password")]
    [InlineData("", "main admin password")]
    public async Task Admin_SignsInByNameOrWithTheMainPassword(string name, string password)
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, name, password);
        using var files = await client.GetAsync(new Uri("/admin/files", UriKind.Relative));

        Assert.Equal("/admin/files", signIn.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        var entry = _factory.Services.GetRequiredService<AuditTrail>().Query("signin.ok", null, 0, 5).Entries.Single();
        Assert.Equal(name.Length == 0 ? "admin" : name, entry.Actor);
    }

    [Theory]
    [InlineData("carol", "main admin password")]
    [InlineData("dave", "carol's admin password")]
    [InlineData("", "carol's admin password")]
    public async Task Admin_WithAPasswordOfSomeoneElse_GetsNothing(string name, string password)
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, name, password);
        using var files = await client.GetAsync(new Uri("/admin/files", UriKind.Relative));

        Assert.StartsWith("/admin/login?error=1", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
    }

    [Fact]
    public async Task LoginPage_AsksForAName_WhenThereAreNamedAdmins()
    {
        using var client = NewClient();

        var page = await client.GetStringAsync(new Uri("/admin/login", UriKind.Relative));

        Assert.Contains("name=\"username\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_ANamedAdminWithoutAHash_IsRefused()
    {
        var options = new AdminOptions();
        options.Users["carol"] = "not-a-hash";

        Assert.Contains(ConfigRules.Check(options), p => p is { Table: "admin.users", Name: "carol" });
    }

    public void Dispose() => _factory.Dispose();
}
