using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Hosting;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Hosting;

public sealed class CliCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static (int Exit, string Out, string Err) Run(string[] args, string input = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliCommands.Run(CommandLine.Parse(args), new StringReader(input), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Validate_GoodConfig_ExitsZero()
    {
        var path = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));

        var (exit, output, _) = Run(["--validate", "--config", path]);

        Assert.Equal(0, exit);
        Assert.Contains("valid (0 warning(s))", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BrokenConfig_ExitsOneAndListsEveryProblemWithPosition()
    {
        var path = _dir.Write("config.toml", """
            [server]
            listen_address = "8080"
            max_upload_size = "lots"
            colour = "blue"

            [security]
            secret = "changeme"
            """);

        var (exit, _, error) = Run(["--validate", $"--config={path}"]);

        Assert.Equal(1, exit);
        Assert.Contains($"{path}:3:19: error: [server] max_upload_size: 'lots' is not a size", error, StringComparison.Ordinal);
        Assert.Contains($"{path}:4:1: error: unknown key [server] colour", error, StringComparison.Ordinal);
        Assert.Contains("2 error(s)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RuleProblems_PointAtTheKey()
    {
        var path = _dir.Write("config.toml", "[security]\n\nsecret = \"changeme\"\n");

        var (exit, _, error) = Run(["--validate", "--config", path]);

        Assert.Equal(1, exit);
        Assert.Contains($"{path}:3:1: error: [security] secret: is a published example secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoConfig_IsValidAndPrintsWarnings()
    {
        var (exit, output, _) = Run(["--validate", "--config", TestFiles.PathOf("Config", "go-3.4-config.toml")]);

        Assert.Equal(0, exit);
        Assert.Contains("warning: [network_resilience] fast_detection is a Go HMAC File Server setting that is accepted but ignored", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingFile_ExitsOne()
    {
        var (exit, _, error) = Run(["--validate", "--config", _dir.Combine("nope.toml")]);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GenConfig_IsCompleteValidAndHasAFreshSecret()
    {
        var (exit, first, _) = Run(["--genconfig"]);
        var (_, second, _) = Run(["--genconfig"]);

        Assert.Equal(0, exit);
        foreach (var key in ConfigSchema.Keys)
        {
            Assert.Contains($"\n{key.Name} = ", first, StringComparison.Ordinal);
            Assert.Contains($"[{key.Table}]", first, StringComparison.Ordinal);
        }

        Assert.Contains("# Shared HMAC secret", first, StringComparison.Ordinal);
        Assert.Contains("(restart)", first, StringComparison.Ordinal);
        var path = _dir.Write("generated.toml", first);
        Assert.Empty(ConfigCheck.Run(path));
        Assert.NotEqual(Secret(first), Secret(second));
        Assert.Equal(64, Secret(first).Length);

        static string Secret(string text) =>
            text.Split('\n').Single(l => l.StartsWith("secret = ", StringComparison.Ordinal))["secret = ".Length..].Trim('"');
    }

    [Fact]
    public void HashPassword_ReadsStdinAndPrintsVerifiableHash()
    {
        var (exit, output, _) = Run(["--hash-password"], "correct horse battery\n");

        Assert.Equal(0, exit);
        Assert.True(PasswordHash.Verify("correct horse battery", output.Trim()));
        Assert.False(PasswordHash.Verify("wrong", output.Trim()));
    }

    [Fact]
    public void HashPassword_WithoutInput_ExitsTwo() =>
        Assert.Equal(2, Run(["--hash-password"]).Exit);

    [Fact]
    public void Version_PrintsVersion()
    {
        var (exit, output, _) = Run(["--version"]);

        Assert.Equal(0, exit);
        Assert.Matches(@"^HmacPortal \d+\.\d+\.\d+", output);
    }

    [Fact]
    public void Help_ListsEveryVerb()
    {
        var (exit, output, _) = Run(["--help"]);

        Assert.Equal(0, exit);
        foreach (var verb in new[] { "--config", "--genconfig", "--validate", "--hash-password", "--version", "--help" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("serve")]
    public void UnknownArgument_ExitsTwoWithUsage(string arg)
    {
        var (exit, _, error) = Run([arg]);

        Assert.Equal(2, exit);
        Assert.Contains($"unknown argument '{arg}'", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HostSettings_PassThrough()
    {
        var cli = CommandLine.Parse(["--environment=Production", "--config", "x.toml"]);

        Assert.Equal(CliVerb.Serve, cli.Verb);
        Assert.Equal("x.toml", cli.ConfigPath);
        Assert.Equal(["--environment=Production"], cli.HostArgs);
    }

    public void Dispose() => _dir.Dispose();
}
