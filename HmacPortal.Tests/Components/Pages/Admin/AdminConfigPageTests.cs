using Bunit;
using HmacPortal.Components.Pages.Admin;
using HmacPortal.Engine.Configuration;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HmacPortal.Tests.Components.Pages.Admin;

public sealed class AdminConfigPageTests : ComponentTestBase
{
    private readonly TempDirectory _dir = new();
    private readonly string _path;
    private readonly TomlConfigurationProvider _provider;

    public AdminConfigPageTests()
    {
        _path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, server: "max_upload_size = \"1MB\""));
        _provider = new TomlConfigurationProvider(_path, reloadOnChange: false);
        _provider.Load();
        Services.AddSingleton(_provider);
        Services.AddSingleton(new ConfigEditor(_path, NullLogger<ConfigEditor>.Instance));
        AddAuthorization().SetAuthorized("admin").SetRoles("admin");
    }

    [Fact]
    public void Loaded_ShowsTheFile_WithNothingToRollBackTo()
    {
        var page = RenderPage<AdminConfigPage>();

        Assert.Equal(File.ReadAllText(_path), page.Find("[data-testid=config-text]").GetAttribute("value"));
        Assert.True(page.Find("[data-testid=config-rollback]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=config-diagnostic]"));
    }

    [Fact]
    public void Edited_WithAnError_ShowsItsLineAndColumn_AndSaveIsOff()
    {
        var page = RenderPage<AdminConfigPage>();

        page.Find("[data-testid=config-text]").Change(File.ReadAllText(_path).Replace("\"1MB\"", "\"1 MB or so\"", StringComparison.Ordinal));

        var problem = page.Find("[data-testid=config-diagnostic][data-severity=error]").TextContent;
        Assert.Contains("line 2, column 19", problem, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=config-save]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=config-diff]"));
    }

    [Fact]
    public void Saved_AppliesAndSaysWhichKeysNeedARestart()
    {
        var page = RenderPage<AdminConfigPage>();
        var edited = File.ReadAllText(_path).Replace("\"1MB\"", "\"2MB\"", StringComparison.Ordinal).Replace("listen_address = \"0\"", "listen_address = \"9123\"", StringComparison.Ordinal);

        page.Find("[data-testid=config-text]").Change(edited);
        Assert.Contains("restart", page.Find("[data-testid=config-diff]").TextContent, StringComparison.Ordinal);
        page.Find("[data-testid=config-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("after a restart: [server] listen_address", page.Find("[data-testid=config-message]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(edited, File.ReadAllText(_path));
        Assert.Equal((2L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), _provider.TryGet("Server:MaxUploadSize", out var value) ? value : null);
        Assert.False(page.Find("[data-testid=config-rollback]").HasAttribute("disabled"));
    }

    [Fact]
    public void Saved_AfterSomeoneElseChangedTheFile_IsRefused()
    {
        var page = RenderPage<AdminConfigPage>();
        File.AppendAllText(_path, "\n# changed meanwhile\n");

        page.Find("[data-testid=config-text]").Change(File.ReadAllText(_path).Replace("\"1MB\"", "\"2MB\"", StringComparison.Ordinal));
        page.Find("[data-testid=config-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("changed by someone else", page.Find("[data-testid=config-message]").TextContent, StringComparison.Ordinal));
        Assert.Contains("\"1MB\"", File.ReadAllText(_path), StringComparison.Ordinal);
    }

    [Fact]
    public void Form_ShowsCurrentValues_AndPutsChangesIntoTheText()
    {
        var page = RenderPage<AdminConfigPage>();
        Assert.Equal("1MB", page.Find("#field-server-max_upload_size").GetAttribute("value"));

        page.Find("#field-server-max_upload_size").Change("3MB");
        page.Find("#field-uploads-allowed_extensions").Change(".jpg, .tar.gz");
        page.Find("[data-testid=config-form-apply]").Click();

        var text = page.Find("[data-testid=config-text]").GetAttribute("value")!;
        Assert.Contains("max_upload_size = \"3MB\"", text, StringComparison.Ordinal);
        Assert.Contains("allowed_extensions = [\".jpg\", \".tar.gz\"]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"1MB\"", text, StringComparison.Ordinal);
        var diff = page.Find("[data-testid=config-diff]").TextContent;
        Assert.Contains("[server] max_upload_size", diff, StringComparison.Ordinal);
        Assert.Contains("[uploads] allowed_extensions", diff, StringComparison.Ordinal);
        Assert.Contains("\"1MB\"", File.ReadAllText(_path), StringComparison.Ordinal);
    }

    protected override void OnDisposed()
    {
        _provider.Dispose();
        _dir.Dispose();
    }
}
