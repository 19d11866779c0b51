using System.Net;
using System.Text.Json;
using HmacPortal.Engine.Audit;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Http.Audit;

/// <summary>[audit]: the audit log as JSON lines, written for each kind of event and rolled by size and age.</summary>
public sealed class AuditFileTests : IDisposable
{
    private const string Owner = "45a6b241a242c97f0492d382c390dfa335aac986";
    private readonly TempDirectory _dir = new();
    private readonly HmacPortalFactory _factory;
    private readonly HttpClient _client;

    public AuditFileTests()
    {
        _factory = new HmacPortalFactory(
            $"[audit]\nenabled = true\npath = \"{_dir.Combine("audit", "events.jsonl")}\"\nmax_size = \"4KB\"\nmax_age = \"1d\"\n\n[quotas]\nenabled = true\ndefault = \"1KB\"\n");
        _factory.Peer = IPAddress.Parse("198.51.100.20");
        _client = _factory.CreateClient();
    }

    private List<JsonElement> Lines()
    {
        var file = _factory.Services.GetRequiredService<AuditLogFile>();
        return file.RolledFiles().Append(file.CurrentPath).Where(File.Exists)
            .SelectMany(File.ReadLines).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task EveryKindOfEvent_IsAJsonLine()
    {
        using (var stored = await _client.SendAsync(SignedUploads.SignedPut($"{Owner}/a/ok.bin", SignedUploads.Body(100))))
        using (var forged = await _client.SendAsync(SignedUploads.SignedPut("a/forged.bin", SignedUploads.Body(10), secret: "not-the-secret-0123456789")))
        using (var overQuota = await _client.SendAsync(SignedUploads.SignedPut($"{Owner}/a/big.bin", SignedUploads.Body(2000))))
        {
            Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Forbidden, HttpStatusCode.RequestEntityTooLarge), (stored.StatusCode, forged.StatusCode, overQuota.StatusCode));
        }

        Assert.Equal(100, (await _client.GetByteArrayAsync(new Uri($"/upload/{Owner}/a/ok.bin", UriKind.Relative))).Length);
        Assert.True(await _factory.Services.GetRequiredService<FileCatalog>().DeleteAsync($"{Owner}/a/ok.bin", "admin", CancellationToken.None));

        var lines = Lines();
        var actions = lines.Select(l => l.GetProperty("action").GetString()).ToList();
        Assert.Subset(new HashSet<string?> { "upload.stored", "signature.failed", "quota.refused", "download.served", "file.deleted" }, actions.ToHashSet());
        var upload = lines.First(l => l.GetProperty("action").GetString() == "upload.stored");
        Assert.Equal((Owner, "198.51.100.20", $"{Owner}/a/ok.bin"), (upload.GetProperty("actor").GetString(), upload.GetProperty("client").GetString(), upload.GetProperty("subject").GetString()));
        Assert.Equal(_factory.Clock.GetUtcNow(), upload.GetProperty("at").GetDateTimeOffset());
        Assert.DoesNotContain(lines, l => l.GetRawText().Contains("v=", StringComparison.Ordinal));
    }

    [Fact]
    public void TheFile_IsRolledBySize_AndRolledFilesGoAfterMaxAge()
    {
        var trail = _factory.Services.GetRequiredService<AuditTrail>();
        var file = _factory.Services.GetRequiredService<AuditLogFile>();
        for (var i = 0; i < 60; i++)
        {
            trail.Note("download.served", "anonymous", "198.51.100.20", $"x/{i}.bin", "100 bytes");
        }

        var rolled = file.RolledFiles();
        Assert.NotEmpty(rolled);
        Assert.All(rolled.Append(file.CurrentPath), f => Assert.True(new FileInfo(f).Length <= 4096, f));
        Assert.Equal(60, Lines().Count);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.CurrentPath));

        _factory.Clock.Advance(TimeSpan.FromDays(2));
        for (var i = 0; i < 60; i++)
        {
            trail.Note("download.served", "anonymous", "198.51.100.20", $"y/{i}.bin", "100 bytes");
        }

        Assert.DoesNotContain(file.RolledFiles(), rolled.Contains);
        var left = Lines();
        Assert.Equal(60, left.Count(l => l.GetProperty("subject").GetString()!.StartsWith("y/", StringComparison.Ordinal)));
        Assert.InRange(left.Count(l => l.GetProperty("subject").GetString()!.StartsWith("x/", StringComparison.Ordinal)), 1, 59);
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _dir.Dispose();
    }
}
