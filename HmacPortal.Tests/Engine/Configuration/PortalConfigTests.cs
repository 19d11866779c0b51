using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using Microsoft.Extensions.Configuration;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class PortalConfigTests
{
    private static readonly string Hash = PasswordHash.Create("a portal password");

    [Fact]
    public void Read_PortalUsers_BindsEachNameToItsHash()
    {
        var read = TomlConfigReader.Read($"""
            [portal]
            anonymous_upload = true
            user_quota = "2GB"

            [portal.users]
            alice = "{Hash}"
            "bob.smith" = "{Hash}"
            """, "config.toml");

        Assert.Empty(read.Errors);
        var portal = Bind(read);
        Assert.True(portal.AnonymousUpload);
        Assert.Equal(2L << 30, portal.UserQuota.Bytes);
        Assert.Equal(["alice", "bob.smith"], portal.Users.Keys.Order(StringComparer.Ordinal));
        Assert.True(portal.Users.ContainsKey("ALICE"));
        Assert.Empty(ConfigRules.Check(portal));
    }

    [Fact]
    public void Read_UserNameWithSpaceOrSlash_IsAnErrorAtItsLine()
    {
        var read = TomlConfigReader.Read($"""
            [portal.users]
            "bad name" = "{Hash}"
            "../x" = "{Hash}"
            """, "config.toml");

        Assert.Equal([2, 3], read.Errors.Select(e => e.Line));
        Assert.All(read.Errors, e => Assert.Contains("letters, digits", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_UserWithANumberForAHash_IsAnError()
    {
        var read = TomlConfigReader.Read("[portal.users]\nalice = 12\n", "config.toml");

        Assert.Contains(read.Errors, e => e is { Line: 2 } && e.Message.Contains("expected a string", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_UserWhosePasswordIsNotAHash_IsRefusedWithTheLineItIsOn()
    {
        const string text = "[portal]\nuser_quota = \"1GB\"\n\n[portal.users]\nalice = \"plain-text-password\"\n";
        var read = TomlConfigReader.Read(text, "config.toml");

        var problems = ConfigRules.Check(Bind(read)).ToList();
        var located = ConfigRules.Locate(problems, read, "config.toml").Single();

        Assert.Equal("[portal.users] alice: is not a hash made by --hash-password", located.Message);
        Assert.Equal(5, located.Line);
    }

    [Fact]
    public void Check_ZeroQuota_IsRefused()
    {
        var problems = ConfigRules.Check(new PortalOptions { UserQuota = new ByteSize(0) }).ToList();

        Assert.Contains(problems, p => p is { Table: "portal", Name: "user_quota" });
    }

    [Fact]
    public void Template_ShowsHowToAddPortalUsers_AndReadsBackCleanly()
    {
        var text = ConfigTemplate.Render(new Dictionary<string, string> { ["[security] secret"] = ConfigTemplate.NewSecret() });

        Assert.Contains("# [portal.users]", text, StringComparison.Ordinal);
        Assert.Contains("[portal]", text, StringComparison.Ordinal);
        Assert.Empty(TomlConfigReader.Read(text, "config.toml").Errors);
    }

    private static PortalOptions Bind(ConfigReadResult read)
    {
        var options = new PortalOptions();
        new ConfigurationBuilder().AddInMemoryCollection(read.Data).Build().GetSection(PortalOptions.Section).Bind(options);
        return options;
    }
}
