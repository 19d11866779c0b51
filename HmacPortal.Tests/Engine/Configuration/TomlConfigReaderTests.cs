using System.Globalization;
using HmacPortal.Engine.Configuration;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class TomlConfigReaderTests
{
    [Fact]
    public void Read_GoServerConfig_LoadsWithoutErrorsAndMapsKnownKeys()
    {
        var read = TomlConfigReader.Read(TestFiles.Read("Config", "go-3.4-config.toml"), "config.toml");

        Assert.Empty(read.Errors);
        Assert.Equal("8080", read.Data["Server:ListenAddress"]);
        Assert.Equal((10L << 30).ToString(CultureInfo.InvariantCulture), read.Data["Server:MaxUploadSize"]);
        Assert.Equal((1L << 30).ToString(CultureInfo.InvariantCulture), read.Data["Server:MinFreeBytes"]);
        Assert.Equal(".tar.gz", read.Data["Uploads:AllowedExtensions:7"]);
        Assert.Equal("01:20:00", read.Data["Timeouts:IdleTimeout"]);
        Assert.Equal((100L << 20).ToString(CultureInfo.InvariantCulture), read.Data["Logging:MaxSize"]);
        Assert.Equal("30.00:00:00", read.Data["Logging:MaxAge"]);
    }

    [Fact]
    public void Read_GoServerConfig_WarnsForEveryKeyWithoutCounterpart()
    {
        var read = TomlConfigReader.Read(TestFiles.Read("Config", "go-3.4-config.toml"), "config.toml");

        var warnings = read.Warnings.Select(w => w.Message).ToList();
        Assert.Contains(warnings, w => w.StartsWith("[server] deduplication_enabled is a Go HMAC File Server setting that is accepted but ignored", StringComparison.Ordinal));
        Assert.Equal(("true", "9090"), (read.Data["Server:MetricsEnabled"], read.Data["Server:MetricsPort"]));
        Assert.Equal(("false", "localhost:6379"), (read.Data["Redis:RedisEnabled"], read.Data["Redis:RedisAddr"]));
        Assert.DoesNotContain(warnings, w => w.StartsWith("[redis]", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("[network_resilience]", StringComparison.Ordinal));
        Assert.Equal(("false", "/var/run/clamav/clamd.ctl", "2"), (read.Data["Clamav:ClamAvEnabled"], read.Data["Clamav:ClamAvSocket"], read.Data["Clamav:NumScanWorkers"]));
        Assert.Equal(("true", "4", "50"), (read.Data["Deduplication:Enabled"], read.Data["Workers:NumWorkers"], read.Data["Workers:UploadQueueSize"]));
        Assert.Equal("10GB", read.Data["Quotas:Custom:admin@example.org"]);
        Assert.Equal("false", read.Data["RateLimit:Enabled"]);
        Assert.Contains(warnings, w => w.StartsWith("[timeouts] readtimeout", StringComparison.Ordinal) && w.Contains("min_request_rate", StringComparison.Ordinal));
        Assert.All(read.Warnings, w => Assert.True(w.Line > 0 && w.Column > 0));
    }

    [Fact]
    public void Read_Misspellings_AreAcceptedWithWarningNamingTheRightKey()
    {
        var read = TomlConfigReader.Read(TestFiles.Read("Config", "go-misspelled.toml"), "config.toml");

        Assert.Empty(read.Errors);
        Assert.Equal("8081", read.Data["Server:ListenAddress"]);
        Assert.Equal("./store", read.Data["Server:StoragePath"]);
        Assert.Equal("./x.pid", read.Data["Server:PidFilePath"]);
        Assert.Equal("./app.log", read.Data["Logging:File"]);
        Assert.Equal(".png", read.Data["Uploads:AllowedExtensions:1"]);
        Assert.Equal((2L << 30).ToString(CultureInfo.InvariantCulture), read.Data["Server:MaxUploadSize"]);

        var warning = Assert.Single(read.Warnings, w => w.Message.StartsWith("[server] listenport", StringComparison.Ordinal));
        Assert.Contains("[server] listen_address", warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, warning.Line);
        Assert.Contains(read.Warnings, w => w.Message.Contains("[redis] redisaddr", StringComparison.Ordinal));
        Assert.Contains(read.Warnings, w => w.Message.Contains("[clamav] clamavenabled", StringComparison.Ordinal));
        Assert.Contains(read.Warnings, w => w.Message.Contains("read as [server] metricsenabled", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_GoRateLimitKeys_AreReadAsTheirCounterparts_WithAWarningNamingThem()
    {
        const string text = "[rate_limit]\nenabled = true\nburst_size = 7\nby_ip = false\nby_jid = true\nwhitelisted_ips = [\"127.0.0.1\"]\nwhitelisted_jids = [\"bot@example.org\"]\n";

        var read = TomlConfigReader.Read(text, "config.toml");

        Assert.Empty(read.Errors);
        Assert.Equal("7", read.Data["RateLimit:Burst"]);
        Assert.Equal("False", read.Data["RateLimit:ByAddress"], ignoreCase: true);
        Assert.Equal("True", read.Data["RateLimit:ByOwner"], ignoreCase: true);
        Assert.Equal("127.0.0.1", read.Data["RateLimit:Exempt:0"]);
        Assert.Equal("bot@example.org", read.Data["RateLimit:ExemptOwners:0"]);
        Assert.Contains(read.Warnings, w => w.Message.Contains("[rate_limit] exempt_owners", StringComparison.Ordinal));
        Assert.Equal(5, read.Warnings.Count());
    }

    [Fact]
    public void Read_UnknownKey_FailsWithLineAndColumn()
    {
        const string text = "[server]\nlisten_address = \"8080\"\n  storage_pth = \"/srv\"\n";

        var read = TomlConfigReader.Read(text, "/etc/hmacportal/config.toml");

        var error = Assert.Single(read.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Contains("unknown key [server] storage_pth", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean [server] storage_path?", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("/etc/hmacportal/config.toml:3:3: error:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownTable_FailsForEachKey()
    {
        var read = TomlConfigReader.Read("[sever]\nsecret = \"x\"\n", "c.toml");

        var error = Assert.Single(read.Errors);
        Assert.Contains("unknown key [sever] secret", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("[server]\nmax_upload_size = \"10XB\"\n", 2, "[server] max_upload_size: '10XB' is not a size")]
    [InlineData("[server]\nmax_upload_size = true\n", 2, "[server] max_upload_size: expected a size")]
    [InlineData("[timeouts]\nshutdown = \"soon\"\n", 2, "[timeouts] shutdown: 'soon' is not a duration")]
    [InlineData("[timeouts]\n\nshutdown = \"30\"\n", 3, "[timeouts] shutdown: '30' has a number without a unit")]
    [InlineData("[server]\nunixsocket = \"maybe\"\n", 2, "[server] unixsocket: expected true or false")]
    [InlineData("[logging]\nmax_backups = -1\n", 2, "[logging] max_backups: expected a whole number")]
    [InlineData("[uploads]\nallowed_extensions = [1, 2]\n", 2, "[uploads] allowed_extensions: expected a list of strings")]
    public void Read_BadValue_FailsWhereItWasWritten(string text, int line, string message)
    {
        var read = TomlConfigReader.Read(text, "c.toml");

        var error = Assert.Single(read.Errors);
        Assert.Equal(line, error.Line);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SyntaxError_ReportsLineAndColumn()
    {
        var read = TomlConfigReader.Read("[server]\nlisten_address = \"8080\n", "c.toml");

        Assert.NotEmpty(read.Errors);
        Assert.All(read.Errors, error => Assert.Equal((2, 23), (error.Line, error.Column)));
        Assert.Empty(read.Data);
    }

    [Fact]
    public void Read_KeyAndItsMisspellingTogether_IsSetTwice()
    {
        var read = TomlConfigReader.Read("[server]\nlisten_address = \"1\"\nlistenport = \"2\"\n", "c.toml");

        Assert.Contains(read.Errors, e => e.Line == 3 && e.Message.Contains("set twice (first on line 2)", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ArrayOfTables_IsRefused()
    {
        var read = TomlConfigReader.Read("[[server]]\nbind_ip = \"::1\"\n", "c.toml");

        Assert.Contains(read.Errors, e => e.Message.Contains("arrays of tables", StringComparison.Ordinal));
    }

    [Fact]
    public void SchemaDefaults_MatchTheOptionsDefaults()
    {
        // The defaults --genconfig documents must be the defaults an empty file gets.
        var rendered = TomlConfigReader.Read(ConfigTemplate.Render(new Dictionary<string, string>()), "defaults.toml");
        Assert.Empty(rendered.Errors);
        var fromTemplate = new ConfigurationBuilder().AddInMemoryCollection(rendered.Data).Build();
        var empty = new ConfigurationBuilder().Build();

        AssertSameOptions<ServerOptions>(ServerOptions.Section);
        AssertSameOptions<SecurityOptions>(SecurityOptions.Section);
        AssertSameOptions<LoggingOptions>(LoggingOptions.Section);
        AssertSameOptions<TimeoutsOptions>(TimeoutsOptions.Section);
        AssertSameOptions<UploadsOptions>(UploadsOptions.Section);
        AssertSameOptions<CorsOptions>(CorsOptions.Section);
        AssertSameOptions<AdminOptions>(AdminOptions.Section);
        AssertSameOptions<PortalOptions>(PortalOptions.Section);
        AssertSameOptions<DownloadsOptions>(DownloadsOptions.Section);

        void AssertSameOptions<T>(string section)
            where T : new()
        {
            var a = new T();
            fromTemplate.GetSection(section).Bind(a);
            var b = new T();
            empty.GetSection(section).Bind(b);
            foreach (var property in typeof(T).GetProperties())
            {
                var left = property.GetValue(a);
                var right = property.GetValue(b);
                if (left is System.Collections.IEnumerable l && left is not string)
                {
                    Assert.Equal(l.Cast<object>(), ((System.Collections.IEnumerable)right!).Cast<object>());
                }
                else
                {
                    Assert.True(Equals(left, right), $"{typeof(T).Name}.{property.Name}: template {left} vs default {right}");
                }
            }
        }
    }
}
