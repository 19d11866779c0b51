using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class ConfigRulesTests
{
    [Theory]
    [InlineData("your-very-secret-hmac-key")]
    [InlineData("change-this-to-your-secret")]
    [InlineData("changeme")]
    [InlineData("secret")]
    [InlineData("CHANGEME")]
    [InlineData("short-secret")]
    [InlineData("")]
    public void Check_WeakSecret_IsRefusedWithClearMessage(string secret)
    {
        var problem = Assert.Single(ConfigRules.Check(new SecurityOptions { Secret = secret }));

        Assert.Equal("secret", problem.Name);
        Assert.Contains("openssl rand -hex 32", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_StrongSecret_Passes() =>
        Assert.Empty(ConfigRules.Check(new SecurityOptions { Secret = "0123456789abcdef" }));

    [Fact]
    public void Check_JwtEnabledWithWeakJwtSecret_IsRefused()
    {
        var problems = ConfigRules.Check(new SecurityOptions { Secret = "0123456789abcdef", EnableJwt = true, JwtSecret = "changeme" });

        Assert.Contains(problems, p => p.Name == "jwtsecret");
    }

    [Fact]
    public void Check_JwtAlgorithmOutsideHmacFamily_IsRefused()
    {
        var problems = ConfigRules.Check(new SecurityOptions { Secret = "0123456789abcdef", JwtAlgorithm = "none" });

        Assert.Contains(problems, p => p.Name == "jwtalgorithm");
    }

    [Fact]
    public void Check_EveryServerProblem_IsListed()
    {
        var problems = ConfigRules.Check(new ServerOptions
        {
            ListenAddress = "http",
            BindIp = "localhost-ish",
            UploadPrefix = "upload",
            FileNaming = "random",
            StoragePath = "/srv/files",
            DataPath = "/srv/files/state",
            MaxUploadSize = ByteSize.Zero,
        }).Select(p => p.Name).ToList();

        Assert.Equal(["listen_address", "bind_ip", "data_path", "upload_prefix", "file_naming", "max_upload_size"], problems);
    }

    [Theory]
    [InlineData("8080")]
    [InlineData(":8080")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:8080")]
    public void Check_ListenAddressForms_Pass(string listen) =>
        Assert.Empty(ConfigRules.Check(new ServerOptions { ListenAddress = listen }));

    [Fact]
    public void Check_UnixSocketNeedsPath()
    {
        Assert.Contains(ConfigRules.Check(new ServerOptions { UnixSocket = true, ListenAddress = "8080" }), p => p.Name == "listen_address");
        Assert.Empty(ConfigRules.Check(new ServerOptions { UnixSocket = true, ListenAddress = "/run/hmacportal/http.sock" }));
    }

    [Fact]
    public void Check_ExtensionWithoutDot_IsRefused()
    {
        var problem = Assert.Single(ConfigRules.Check(new UploadsOptions { AllowedExtensions = [".jpg", "png"] }));
        Assert.Contains("'png'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AdminHashNotMadeByHashPassword_IsRefused()
    {
        Assert.Single(ConfigRules.Check(new AdminOptions { PasswordHash = "hunter2" }));
        Assert.Empty(ConfigRules.Check(new AdminOptions { PasswordHash = PasswordHash.Create("correct horse") }));
    }
}
