using System.Text.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Signing;

public sealed class KeyringTests : IDisposable
{
    private const string Configured = "configured-secret-0123456789abcdef";
    private const string UploadPath = "slot/photo.jpg";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly TestOptionsMonitor<SecurityOptions> _security = new(new SecurityOptions { Secret = Configured });
    private readonly TestOptionsMonitor<KeyRotationOptions> _rotation;
    private readonly TestOptionsMonitor<ServerOptions> _server;

    public KeyringTests()
    {
        _rotation = new(new KeyRotationOptions { Enabled = true, RotationInterval = TimeSpan.FromDays(30), GracePeriod = TimeSpan.FromHours(48) });
        _server = new(new ServerOptions { DataPath = _dir.Combine("state"), StoragePath = _dir.Combine("files") });
    }

    public void Dispose() => _dir.Dispose();

    private string RingPath => _dir.Combine("state", "keyring.json");

    private Keyring NewKeyring() => new(_security, _rotation, _server, _clock, NullLogger<Keyring>.Instance);

    private SignatureVerifier Verifier(Keyring keyring) => new(_security, _clock, null, keyring);

    private static StoragePath PathOf(string value) =>
        StoragePath.TryCreate(value, out var path, out var error) ? path : throw new ArgumentException(error);

    private static bool Accepts(SignatureVerifier verifier, string secret) =>
        verifier.Verify(PathOf(UploadPath), 100, "image/jpeg", new UploadCredentials(V2: TestSigner.V2(secret, UploadPath, 100, "image/jpeg"))).IsValid;

    private async Task<string> CurrentGeneratedSecretAsync()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(RingPath));
        return document.RootElement.GetProperty("Keys").EnumerateArray()
            .Single(k => k.GetProperty("Retired").ValueKind == JsonValueKind.Null).GetProperty("Secret").GetString()!;
    }

    [Fact]
    public async Task RotationOff_OnlyTheConfiguredSecretVerifies_AndNoKeyringIsWritten()
    {
        _rotation.Set(new KeyRotationOptions { Enabled = false });
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();

        Assert.Equal([Configured], keyring.VerifyingSecrets());
        Assert.False(File.Exists(RingPath));
        await Assert.ThrowsAsync<InvalidOperationException>(() => keyring.RotateAsync("test"));
    }

    [Fact]
    public async Task Synchronise_CreatesAnOwnerOnlyKeyring_WhoseOnlyKeyIsTheConfiguredSecret()
    {
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();

        Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(RingPath));
        var state = keyring.Describe();
        var only = Assert.Single(state.Keys);
        Assert.True(only.IsConfigSecret);
        Assert.Equal(Keyring.ConfigKeyId, only.Id);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(30), state.NextRotation);
        Assert.True(Accepts(Verifier(keyring), Configured));
        Assert.Empty(Directory.GetFiles(_dir.Combine("state"), FileStore.TempPrefix + "*"));
    }

    [Fact]
    public async Task Rotate_NewKeyVerifies_OldOneUntilItsGraceEnds_ThenNeverAgainThoughStillConfigured()
    {
        var keyring = NewKeyring();
        var verifier = Verifier(keyring);
        await keyring.SynchroniseAsync();

        await keyring.RotateAsync("test");
        var generated = await CurrentGeneratedSecretAsync();

        Assert.NotEqual(Configured, generated);
        Assert.Equal(generated, keyring.SigningSecret());
        Assert.True(Accepts(verifier, generated));
        Assert.True(Accepts(verifier, Configured));

        _clock.Advance(TimeSpan.FromHours(47));
        Assert.True(Accepts(verifier, Configured));

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(Accepts(verifier, Configured));
        Assert.True(Accepts(verifier, generated));

        // Bringing the ring in step again (as a restart or config reload does) must not adopt the retired secret anew.
        await keyring.SynchroniseAsync();
        Assert.False(Accepts(verifier, Configured));
        Assert.False(Accepts(Verifier(NewKeyring()), Configured));
        Assert.DoesNotContain(Configured, await File.ReadAllTextAsync(RingPath), StringComparison.Ordinal);
        Assert.False(keyring.Describe().Keys.Single(k => k.IsConfigSecret).Valid);
    }

    [Fact]
    public async Task RotateIfDue_RotatesOnlyOnceTheCurrentKeyIsOlderThanTheInterval()
    {
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();

        Assert.False(await keyring.RotateIfDueAsync());
        _clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        Assert.False(await keyring.RotateIfDueAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await keyring.RotateIfDueAsync());
        Assert.False(await keyring.RotateIfDueAsync());
        Assert.Equal(2, keyring.Describe().Keys.Count);

        // The old key's grace ends (the ring is rewritten for it), but nothing is due: no rotation reported.
        _clock.Advance(TimeSpan.FromHours(49));
        Assert.False(await keyring.RotateIfDueAsync());
        Assert.Equal(2, keyring.Describe().Keys.Count);
        Assert.Single(keyring.Describe().Keys, k => k.Valid);
    }

    [Fact]
    public async Task RingEditedByHandToHoldNoValidKey_SigningSaysSo_AndARotationRepairsIt()
    {
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();
        await keyring.RotateAsync("test");
        _clock.Advance(TimeSpan.FromHours(49));
        await keyring.SynchroniseAsync();

        // Keep only the configured secret's entry, retired and past its grace.
        var ring = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(RingPath))!;
        var keys = ring["Keys"]!.AsArray();
        foreach (var current in keys.Where(k => k!["Retired"] is null).ToList())
        {
            keys.Remove(current);
        }

        await File.WriteAllTextAsync(RingPath, ring.ToJsonString());
        var edited = NewKeyring();

        var refused = Assert.Throws<InvalidOperationException>(edited.SigningSecret);
        Assert.Contains("no key that is still valid", refused.Message, StringComparison.Ordinal);
        Assert.False(Accepts(Verifier(edited), Configured));

        await edited.RotateAsync("test");
        Assert.True(Accepts(Verifier(edited), edited.SigningSecret()));
    }

    [Fact]
    public async Task ZeroInterval_NeverRotatesOnSchedule()
    {
        _rotation.Set(new KeyRotationOptions { Enabled = true, RotationInterval = TimeSpan.Zero });
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();
        _clock.Advance(TimeSpan.FromDays(3650));

        Assert.False(await keyring.RotateIfDueAsync());
        Assert.Null(keyring.Describe().NextRotation);
    }

    [Fact]
    public async Task NewSecretInTheConfig_IsAdoptedAsCurrent_AndTheGeneratedKeyKeepsItsGrace()
    {
        var keyring = NewKeyring();
        var verifier = Verifier(keyring);
        await keyring.SynchroniseAsync();
        await keyring.RotateAsync("test");
        var generated = await CurrentGeneratedSecretAsync();
        _clock.Advance(TimeSpan.FromDays(1));

        const string replacement = "replacement-secret-0123456789abcdef";
        _security.Set(new SecurityOptions { Secret = replacement });
        Assert.True(Accepts(verifier, replacement));
        await keyring.SynchroniseAsync();

        Assert.Equal(replacement, keyring.SigningSecret());
        Assert.True(Accepts(verifier, generated));
        _clock.Advance(TimeSpan.FromHours(48));
        Assert.False(Accepts(verifier, generated));
        Assert.True(Accepts(verifier, replacement));
    }

    [Fact]
    public async Task TwoNodesSharingTheKeyring_RotateOncePerSchedule_AndEachSeesTheOthersKey()
    {
        var first = NewKeyring();
        var second = NewKeyring();
        await first.SynchroniseAsync();
        _clock.Advance(TimeSpan.FromDays(31));

        var rotated = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).RotateIfDueAsync())));

        Assert.Single(rotated, r => r);
        Assert.Equal(2, second.Describe().Keys.Count);
        Assert.Equal(first.SigningSecret(), second.SigningSecret());
        Assert.True(Accepts(Verifier(second), await CurrentGeneratedSecretAsync()));
    }

    [Fact]
    public async Task DamagedKeyring_KeepsTheLastGoodKeys_AndSaysWhy()
    {
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();
        await keyring.RotateAsync("test");
        var generated = await CurrentGeneratedSecretAsync();
        Assert.True(Accepts(Verifier(keyring), generated));

        await File.WriteAllTextAsync(RingPath, "{ not json");

        Assert.True(Accepts(Verifier(keyring), generated));
        Assert.Contains("cannot be read", keyring.Describe().Problem, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidDataException>(() => keyring.RotateAsync("test"));
    }

    [Fact]
    public async Task GoServerKeysFile_IsRefusedRatherThanOverwritten()
    {
        Directory.CreateDirectory(_dir.Combine("state"));
        const string goKeys = """{"current":"00112233","previous":"44556677","rotated_at":"2026-01-01T00:00:00Z"}""";
        await File.WriteAllTextAsync(RingPath, goKeys);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => NewKeyring().SynchroniseAsync());

        Assert.Contains("not a HmacPortal keyring", error.Message, StringComparison.Ordinal);
        Assert.Equal(goKeys, await File.ReadAllTextAsync(RingPath));
    }

    [Fact]
    public async Task PortalGrant_MadeBeforeARotation_IsStillAcceptedAfterIt()
    {
        var keyring = NewKeyring();
        await keyring.SynchroniseAsync();
        var now = _clock.GetUtcNow();
        var grant = new JwtGrant("alice", now, now + PortalGrantKey.Lifetime, "slot", "a.txt", 5, null, null, null)
            .Write(PortalGrantKey.Derive(keyring.SigningSecret()), PortalGrantKey.Algorithm, PortalGrantKey.KeyId);

        await keyring.RotateAsync("test");
        var (check, read) = Verifier(keyring).ReadGrant(grant);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal("alice", read!.Subject);
    }

    [Fact]
    public void KeyStorageInsideStoragePath_IsRefused()
    {
        var server = new ServerOptions { StoragePath = "/srv/files", DataPath = "/srv/state" };

        Assert.Single(ConfigRules.Check(new KeyRotationOptions { KeyStorage = "/srv/files/keys.json" }, server));
        Assert.Empty(ConfigRules.Check(new KeyRotationOptions { KeyStorage = "/srv/state/keys.json" }, server));
        Assert.Empty(ConfigRules.Check(new KeyRotationOptions { KeyStorage = "/srv/files-keys.json" }, server));
        Assert.Single(ConfigRules.Check(new KeyRotationOptions { RotationInterval = TimeSpan.FromMinutes(5) }));
    }
}
