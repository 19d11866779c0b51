using System.Text.RegularExpressions;
using HmacPortal.Engine.Identity;
using HmacPortal.Tests.Support;
using Microsoft.Playwright;

namespace HmacPortal.E2E.Support;

/// <summary>A real server process with an admin password, and a browser that signs in to the console.</summary>
public abstract class AdminServerTest(BrowserFixture browser, string serverLines = "") : IAsyncLifetime, IDisposable
{
    protected const string Password = "e2e admin password";

    protected TempDirectory Dir { get; } = new();

    protected ServerProcess Server { get; private set; } = null!;

    protected BrowserFixture Browser => browser;

    public async Task InitializeAsync()
    {
        var config = Dir.Write("config.toml", TestFiles.MinimalConfig(Dir.Path, $"[admin]\npassword_hash = \"{PasswordHash.Create(Password)}\"\n", server: serverLines));
        Server = await ServerProcess.StartAsync(config);
    }

    /// <summary>Opens <paramref name="page"/> of the console, signs in on the page it is sent to, and waits until it is live.</summary>
    protected async Task<IPage> SignInAsync(IBrowserContext context, string page)
    {
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(new Uri(Server.BaseAddress, page).ToString());
        await Assertions.Expect(tab).ToHaveURLAsync(new Regex("/admin/login"));
        await tab.FillAsync("#password", Password);
        await tab.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(tab).ToHaveURLAsync(new Regex($"/{Regex.Escape(page)}$"));
        await tab.Locator("[data-testid=interactive]").WaitForAsync(new() { Timeout = 30_000 });
        return tab;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
