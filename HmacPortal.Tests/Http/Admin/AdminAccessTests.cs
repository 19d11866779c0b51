using System.Net;
using HmacPortal.Engine.Identity;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HmacPortal.Tests.Http.Admin;

public sealed class AdminAccessTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly HmacPortalFactory _factory = new($"[admin]\npassword_hash = \"{PasswordHash.Create(Password)}\"\n");

    private HttpClient NewClient() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static Task<string> TokenAsync(HttpClient client) => FormPosts.TokenAsync(client, "/admin/login");

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string token, string password, string? returnUrl = null) =>
        client.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["password"] = password,
            ["returnUrl"] = returnUrl ?? "/admin/files",
        }));

    [Theory]
    [InlineData(null, "/admin/files")]
    [InlineData("127.0.0.1", "/admin/files")]
    [InlineData("::1", "/admin/files")]
    [InlineData(null, "/admin/bans")]
    [InlineData("127.0.0.1", "/admin/bans")]
    [InlineData("127.0.0.1", "/admin/config")]
    [InlineData("::1", "/admin/invites")]
    [InlineData(null, "/admin")]
    [InlineData(null, "/admin/sessions")]
    [InlineData("127.0.0.1", "/admin/audit")]
    [InlineData(null, "/admin/quotas")]
    [InlineData("::1", "/admin/network")]
    public async Task AdminPage_Anonymous_IsRedirectedToSignIn_WhateverXForwardedForSays(string? forwardedFor, string page)
    {
        using var client = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            request.Headers.Add("X-Real-IP", forwardedFor);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/admin/login?returnUrl={Uri.EscapeDataString(page)}", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignIn_WithRightPassword_OpensTheAdminPages()
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, await TokenAsync(client), Password);
        using var files = await client.GetAsync(new Uri("/admin/files", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin/files", signIn.Headers.Location!.ToString());
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("hmacportal.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
    }

    [Fact]
    public async Task SignIn_WithWrongPassword_ShowsErrorAndGrantsNothing()
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, await TokenAsync(client), "not it");
        using var files = await client.GetAsync(new Uri("/admin/files", UriKind.Relative));

        Assert.StartsWith("/admin/login?error=1", signIn.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
    }

    [Fact]
    public async Task SignIn_AfterFiveFailures_IsLockedOutEvenWithTheRightPassword()
    {
        using var client = NewClient();
        var token = await TokenAsync(client);
        for (var i = 0; i < SignInGuard.MaxFailures; i++)
        {
            using var _ = await SignInAsync(client, token, "guess " + i);
        }

        using var right = await SignInAsync(client, token, Password);
        using var page = await client.GetAsync(right.Headers.Location!);

        Assert.StartsWith("/admin/login?locked=15", right.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("Too many failed attempts", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_Is400()
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, string.Empty, Password);

        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task SignIn_ReturnUrlOffSite_IsIgnored(string returnUrl)
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, await TokenAsync(client), Password, returnUrl);

        Assert.Equal("/admin", signIn.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = NewClient();
        using (await SignInAsync(client, await TokenAsync(client), Password))
        {
        }

        using var signOut = await FormPosts.PostAsync(client, "/admin/files", "/logout", new Dictionary<string, string>());
        using var after = await client.GetAsync(new Uri("/admin/files", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
