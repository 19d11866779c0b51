using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminKeysPageTests : ComponentTestBase
{
    private const string Configured = "configured-secret-0123456789abcdef";
    private readonly TempDirectory _dir = new();
    private readonly TestOptionsMonitor<KeyRotationOptions> _rotation = new(new KeyRotationOptions { Enabled = true, GracePeriod = TimeSpan.FromHours(48) });
    private readonly Keyring _keyring;

    public AdminKeysPageTests()
    {
        _keyring = new Keyring(
            new TestOptionsMonitor<SecurityOptions>(new SecurityOptions { Secret = Configured }), _rotation,
            new TestOptionsMonitor<ServerOptions>(new ServerOptions { DataPath = _dir.Path }),
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero)), NullLogger<Keyring>.Instance);
        Services.AddSingleton(_keyring);
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    protected override void OnDisposed() => _dir.Dispose();

    [Fact]
    public void RotationOff_SaysHowToTurnItOn()
    {
        _rotation.Set(new KeyRotationOptions { Enabled = false });

        var page = RenderPage<AdminKeysPage>();

        Assert.Contains("[key_rotation] enabled = true", page.Find("[data-testid=rotation-off]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateNow_AfterConfirming_ListsTheNewKeyAndTheReplacedOneWithItsDeadline_AndRevealShowsTheNewSecret()
    {
        await _keyring.SynchroniseAsync();
        var provider = Render<MudDialogProvider>();
        var page = RenderPage<AdminKeysPage>();
        Assert.Single(page.FindAll("[data-testid=key-row]"));
        Assert.Equal("current, verifies", page.Find("[data-testid=key-state]").TextContent);

        page.Find("[data-testid=rotate]").Click();
        provider.WaitForElement(".mud-dialog");
        provider.FindAll("button").First(b => b.TextContent.Contains("Rotate", StringComparison.Ordinal) && !b.TextContent.Contains("now", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=key-row]").Count));
        var states = page.FindAll("[data-testid=key-state]").Select(s => s.TextContent).ToList();
        Assert.Equal("current, verifies", states[0]);
        Assert.Equal("replaced, verifies until 2026-11-28 12:00", states[1]);
        Assert.DoesNotContain(_keyring.SigningSecret(), page.Markup, StringComparison.Ordinal);

        page.Find("[data-testid=reveal]").Click();
        page.WaitForAssertion(() => Assert.Equal(_keyring.SigningSecret(), page.Find("#current-secret").GetAttribute("value")));
        Assert.NotEqual(Configured, _keyring.SigningSecret());
    }

    [Fact]
    public async Task DamagedKeyring_IsReportedOnThePage()
    {
        await _keyring.SynchroniseAsync();
        Assert.Single(_keyring.VerifyingSecrets());
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "keyring.json"), "[1, 2");
        Assert.Single(_keyring.VerifyingSecrets());

        var page = RenderPage<AdminKeysPage>();

        Assert.Contains("cannot be read", page.Find("[data-testid=keys-error]").TextContent, StringComparison.Ordinal);
    }
}
