using System.Net;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Portal;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Portal;

public sealed class PortalAccessTests : IDisposable
{
    private const string Password = "alice's portal password";
    private readonly HmacPortalFactory _factory = new($"[portal.users]\nalice = \"{PasswordHash.Create(Password)}\"\n");

    private HttpClient NewClient() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password) =>
        FormPosts.PostAsync(client, "/portal/login", "/portal/login", new Dictionary<string, string>
        {
            ["username"] = user,
            ["password"] = password,
            ["returnUrl"] = "/portal/files",
        });

    [Theory]
    [InlineData("/portal")]
    [InlineData("/portal/files")]
    public async Task PortalPages_Anonymous_AreSentToThePortalSignIn(string page)
    {
        using var client = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/portal/login", new Uri(new Uri("http://localhost/"), response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task SignIn_WithRightPassword_OpensMyFiles()
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, "alice", Password);
        using var files = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));

        Assert.Equal("/portal/files", signIn.Headers.Location!.OriginalString);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("hmacportal.session=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        Assert.Contains("My files", await files.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", "wrong password")]
    [InlineData("mallory", Password)]
    [InlineData("alice", "")]
    public async Task SignIn_WithWrongNameOrPassword_GrantsNothing(string user, string password)
    {
        using var client = NewClient();

        using var signIn = await SignInAsync(client, user, password);
        using var files = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));

        Assert.StartsWith("/portal/login?error=1", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
        var recorded = _factory.Services.GetRequiredService<global::HmacPortal.Engine.Audit.AuditTrail>().Query("signin.failed", null, 0, 10);
        Assert.Equal("portal", Assert.Single(recorded.Entries).Subject);
        Assert.DoesNotContain(password.Length > 0 ? password : "\u0000", string.Join(' ', recorded.Entries.Select(e => e.Actor + e.Subject + e.Detail)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AfterRepeatedFailures_IsLockedOutEvenWithTheRightPassword()
    {
        using var client = NewClient();
        for (var i = 0; i < SignInGuard.MaxFailures; i++)
        {
            using var failed = await SignInAsync(client, "alice", "guess " + i);
        }

        using var right = await SignInAsync(client, "alice", Password);

        Assert.Contains("locked=", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        using var client = NewClient();

        using var response = await client.PostAsync(new Uri("/portal/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "alice",
            ["password"] = Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Invite_ValidLink_ShowsTheInvite_AndAcceptingSignsInAGuestWithItsOwnAccount_UntilRevoked()
    {
        var invites = _factory.Services.GetRequiredService<InviteService>();
        var (invite, token, _) = invites.Create("Workshop guests", 5L << 20, 1L << 20, TimeSpan.FromDays(1));
        using var client = NewClient();

        var shown = await client.GetStringAsync(new Uri($"/invite/{token}", UriKind.Relative));
        using var beforeAccepting = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));
        using var redeem = await FormPosts.PostAsync(client, $"/invite/{token}", $"/invite/{token}/accept", new Dictionary<string, string>());
        using var files = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));

        Assert.Contains("For Workshop guests", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, beforeAccepting.StatusCode);
        Assert.Equal("/portal", redeem.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        Assert.Contains("5 MiB", await files.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        invites.Revoke(invite!.Id);
        using var afterRevoke = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task Invite_AcceptedFromAnotherSite_WithoutTheForm_GrantsNothing()
    {
        var (_, token, _) = _factory.Services.GetRequiredService<InviteService>().Create("guest", 1000, 1000, TimeSpan.FromDays(1));
        using var client = NewClient();

        using var forged = await client.PostAsync(new Uri($"/invite/{token}/accept", UriKind.Relative), new FormUrlEncodedContent([]));
        using var files = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
    }

    [Fact]
    public async Task Invite_ExpiredOrUnknownLink_SaysSoAndGrantsNothing()
    {
        var invites = _factory.Services.GetRequiredService<InviteService>();
        var (_, token, _) = invites.Create("guest", 1000, 1000, TimeSpan.FromHours(1));
        _factory.Clock.Advance(TimeSpan.FromHours(2));
        using var client = NewClient();

        using var page = await client.GetAsync(new Uri($"/invite/{token}", UriKind.Relative));
        using var expired = await FormPosts.PostAsync(client, "/portal/login", $"/invite/{token}/accept", new Dictionary<string, string>());
        using var unknown = await FormPosts.PostAsync(client, "/portal/login", "/invite/not-a-real-token/accept", new Dictionary<string, string>());
        using var files = await client.GetAsync(new Uri("/portal/files", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("This invitation does not work", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/portal/login?invite=gone", expired.Headers.Location!.OriginalString);
        Assert.Equal("/portal/login?invite=gone", unknown.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, files.StatusCode);
    }

    [Fact]
    public async Task UploadPage_WithAnonymousUploadOn_IsOpenToEveryone()
    {
        using var factory = new HmacPortalFactory("[portal]\nanonymous_upload = true\n");
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var page = await client.GetAsync(new Uri("/portal", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Uploading without an account", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadPage_WithThePortalOff_SendsToSignInThatSaysSo()
    {
        using var factory = new HmacPortalFactory("[portal]\nenabled = false\n");
        using var client = factory.CreateClient();

        var page = await client.GetStringAsync(new Uri("/portal", UriKind.Relative));

        Assert.Contains("The upload portal is turned off", page, StringComparison.Ordinal);
    }

    public void Dispose() => _factory.Dispose();
}
