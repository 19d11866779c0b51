using System.Net;
using Hangfire;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Metadata;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Jobs;

public sealed class JobsDashboardTests : IDisposable
{
    private const string AdminPassword = "jobs admin password";
    private const string UserPassword = "jobs user password";
    private readonly HmacPortalFactory _factory = new(
        $"[admin]\npassword_hash = \"{PasswordHash.Create(AdminPassword)}\"\n\n[portal.users]\nbob = \"{PasswordHash.Create(UserPassword)}\"\n");

    private HttpClient NewClient() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData(null, "/hangfire")]
    [InlineData("127.0.0.1", "/hangfire")]
    [InlineData("127.0.0.1", "/hangfire/recurring")]
    [InlineData("::1", "/hangfire/jobs/succeeded")]
    public async Task Dashboard_Anonymous_IsSentToAdminSignIn_EvenFromLoopbackOrWithForwardedHeaders(string? peer, string page)
    {
        _factory.Peer = peer is null ? null : IPAddress.Parse(peer);
        using var client = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/admin/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_PortalUser_IsNotLetIn()
    {
        using var client = NewClient();
        using (await FormPosts.PostAsync(client, "/portal/login", "/portal/login", new Dictionary<string, string> { ["username"] = "bob", ["password"] = UserPassword }))
        {
        }

        using var response = await client.GetAsync(new Uri("/hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/login", new Uri(new Uri("http://localhost/"), response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task Dashboard_Admin_SeesTheRecurringJobs()
    {
        using var client = NewClient();
        using (await FormPosts.PostAsync(client, "/admin/login", "/admin/login", new Dictionary<string, string> { ["password"] = AdminPassword }))
        {
        }

        using var recurring = await client.GetAsync(new Uri("/hangfire/recurring", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, recurring.StatusCode);
        var html = await recurring.Content.ReadAsStringAsync();
        Assert.Contains("HmacPortal jobs", html, StringComparison.Ordinal);
        foreach (var id in new[] { RecurringJobs.ExpiryId, RecurringJobs.SweepId, RecurringJobs.MaintenanceId, RecurringJobs.DiskWatchId })
        {
            Assert.Contains(id, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ExpiryJob_TriggeredThroughHangfire_DeletesAnExpiredFile()
    {
        var metadata = _factory.Services.GetRequiredService<IMetadataStore>();
        var file = await _factory.StoreExpiredAsync();

        _factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(RecurringJobs.ExpiryId);

        // The job runs on a Hangfire worker; wait (bounded) for its effect.
        for (var i = 0; i < 200 && File.Exists(file); i++)
        {
            await Task.Delay(50);
        }

        Assert.False(File.Exists(file));
        Assert.Null(await metadata.GetAsync("slot/old.bin", CancellationToken.None));
    }

    [Fact]
    public async Task AJobWhoseLastRunIsStillGoing_SkipsThisRun_InsteadOfWaitingToFail()
    {
        var jobs = _factory.Services.GetRequiredService<RecurringJobs>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        async Task Run()
        {
            Interlocked.Increment(ref runs);
            await release.Task;
        }

        var first = jobs.Alone(RecurringJobs.ExpiryId, Run);
        var overlapping = jobs.Alone(RecurringJobs.ExpiryId, Run);
        var other = jobs.Alone(RecurringJobs.SweepId, () => Task.CompletedTask);

        Assert.True(overlapping.IsCompletedSuccessfully);
        Assert.True(other.IsCompletedSuccessfully);
        Assert.False(first.IsCompleted);
        Assert.Equal(1, runs);

        release.SetResult();
        await first;
        await jobs.Alone(RecurringJobs.ExpiryId, Run);
        Assert.Equal(2, runs);
    }

    public void Dispose() => _factory.Dispose();
}
