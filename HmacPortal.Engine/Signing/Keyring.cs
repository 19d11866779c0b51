using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Signing;

/// <summary>
/// The HMAC secrets that verify uploads. Without <c>[key_rotation]</c> that is <c>[security] secret</c>
/// alone. With it, a keyring file (0600, replaced atomically, shared by every node that reads the
/// same file) holds the current key and the keys it replaced; a replaced key verifies until its
/// retirement plus <c>grace_period</c>, then never again. The configured secret is the ring's first
/// key and is retired like any other: the ring keeps only its fingerprint, so once its grace has
/// ended it stops working even though it is still in the config. A new secret written into the
/// config is adopted as the current key, retiring the one before it.
/// </summary>
public sealed class Keyring(
    IOptionsMonitor<SecurityOptions> security,
    IOptionsMonitor<KeyRotationOptions> rotation,
    IOptionsMonitor<ServerOptions> server,
    TimeProvider clock,
    ILogger<Keyring> logger,
    Audit.AuditTrail? audit = null)
{
    /// <summary>The id of the entry that stands for <c>[security] secret</c>.</summary>
    public const string ConfigKeyId = "config";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly Lock _cacheLock = new();
    private (string Path, DateTime Written, long Length, KeyringFile Ring)? _cache;
    private volatile string? _problem;

    /// <summary>The secrets that verify a MAC now, the current one first.</summary>
    public IReadOnlyList<string> VerifyingSecrets()
    {
        var configured = security.CurrentValue.Secret;
        var options = rotation.CurrentValue;
        if (!options.Enabled)
        {
            return [configured];
        }

        var ring = Read(options);
        if (ring is null)
        {
            return [configured];
        }

        var now = clock.GetUtcNow();
        var secrets = new List<string>(2);
        var fingerprint = Fingerprint(configured);
        foreach (var key in ring.Keys.OrderBy(k => k.Retired is null ? 0 : 1).ThenByDescending(k => k.Retired).ThenByDescending(k => k.Created))
        {
            if (key.Secret is { } secret && StillValid(key, now, options.GracePeriod))
            {
                secrets.Add(secret);
            }
        }

        // A secret just written into the config is the current key even before the ring has adopted it.
        if (!ring.Keys.Any(k => k.Fingerprint == fingerprint))
        {
            secrets.Insert(0, configured);
        }

        return secrets;
    }

    /// <summary>The secret that signs what this server issues (portal upload grants): the current key.</summary>
    public string SigningSecret()
    {
        var secrets = VerifyingSecrets();
        return secrets.Count > 0
            ? secrets[0]
            : throw new InvalidOperationException("the keyring has no key that is still valid (edited by hand?); rotate it at /admin/keys, or move the file away to start a new ring from the configured secret");
    }

    /// <summary>The ring as the admin console shows it, newest first; secrets are not included.</summary>
    public KeyringState Describe()
    {
        var options = rotation.CurrentValue;
        if (!options.Enabled)
        {
            return new KeyringState(false, null, [], null);
        }

        var ring = Read(options) ?? new KeyringFile { Version = KeyringFile.CurrentVersion };
        var now = clock.GetUtcNow();
        var configured = Fingerprint(security.CurrentValue.Secret);
        var keys = ring.Keys.OrderBy(k => k.Retired is null ? 0 : 1).ThenByDescending(k => k.Retired).ThenByDescending(k => k.Created).Select(k => new KeyringEntry(
            k.Id, k.Fingerprint == configured, k.Created, k.Retired,
            k.Retired + options.GracePeriod, StillValid(k, now, options.GracePeriod), k.Fingerprint?[..12] ?? Fingerprint(k.Secret!)[..12])).ToList();
        var current = keys.FirstOrDefault(k => k.Retired is null);
        var due = current is not null && options.RotationInterval > TimeSpan.Zero ? current.Created + options.RotationInterval : (DateTimeOffset?)null;
        return new KeyringState(true, due, keys, _problem);
    }

    /// <summary>
    /// Creates the ring if it is missing and adopts a secret newly written into the config. Run at
    /// start, after a config change and before each scheduled rotation.
    /// </summary>
    public Task SynchroniseAsync(CancellationToken cancellationToken = default) => UpdateAsync("config", rotate: false, onlyIfDue: false, cancellationToken);

    /// <summary>Replaces the current key with a new random one now; the old one keeps its grace period.</summary>
    public Task RotateAsync(string actor, CancellationToken cancellationToken = default) => UpdateAsync(actor, rotate: true, onlyIfDue: false, cancellationToken);

    /// <summary>Rotates when the current key is older than <c>rotation_interval</c>; true when it did.</summary>
    public async Task<bool> RotateIfDueAsync(CancellationToken cancellationToken = default)
    {
        var options = rotation.CurrentValue;
        if (!options.Enabled)
        {
            return false;
        }

        // One pass under the ring's lock: adopt a new config secret, then rotate if the current key is due.
        return await UpdateAsync("schedule", rotate: true, onlyIfDue: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The current secret, for an admin who must copy it into the XMPP server's config.</summary>
    public string RevealCurrent(string actor)
    {
        audit?.Record("key.revealed", actor, null, "keyring");
        return SigningSecret();
    }

    private async Task<bool> UpdateAsync(string actor, bool rotate, bool onlyIfDue, CancellationToken cancellationToken)
    {
        var options = rotation.CurrentValue;
        if (!options.Enabled)
        {
            if (rotate)
            {
                throw new InvalidOperationException("key rotation is not enabled ([key_rotation] enabled = false)");
            }

            return false;
        }

        var path = Path.GetFullPath(options.KeyringPath(server.CurrentValue));
        using var held = await AcquireLockAsync(path, cancellationToken).ConfigureAwait(false);
        var ring = Load(path) ?? new KeyringFile { Version = KeyringFile.CurrentVersion };
        var now = clock.GetUtcNow();
        var configured = security.CurrentValue.Secret;
        var fingerprint = Fingerprint(configured);
        var changed = false;
        var rotated = false;
        string? rotatedFrom = null;

        if (!ring.Keys.Any(k => k.Fingerprint == fingerprint))
        {
            // The config names a secret the ring has never seen: the operator set it, so it becomes current.
            rotatedFrom = RetireCurrent(ring, now);
            ring.Keys.Add(new KeyringKey { Id = ring.Keys.Count == 0 ? ConfigKeyId : NewId(now), Secret = configured, Fingerprint = fingerprint, Created = now });
            changed = true;
            if (rotatedFrom is not null)
            {
                KeyringLog.Adopted(logger, rotatedFrom);
                audit?.Record("key.adopted", actor, null, "keyring", $"the secret in the config replaced key {rotatedFrom}");
            }
        }

        var current = ring.Keys.Where(k => k.Retired is null).MaxBy(k => k.Created);
        var isDue = current is null || (options.RotationInterval > TimeSpan.Zero && now >= current.Created + options.RotationInterval);
        if (rotate && (!onlyIfDue || isDue))
        {
            var retired = RetireCurrent(ring, now);
            var secret = ConfigTemplate.NewSecret();
            var key = new KeyringKey { Id = NewId(now), Secret = secret, Fingerprint = Fingerprint(secret), Created = now };
            ring.Keys.Add(key);
            changed = true;
            rotated = true;
            KeyringLog.Rotated(logger, key.Id, retired ?? "none", now + options.GracePeriod);
            audit?.Record("key.rotated", actor, null, "keyring", $"key {key.Id} is current; {retired ?? "no key"} verifies until {now + options.GracePeriod:u}");
        }

        // Keys past their grace are gone for good. The entry of the secret still in the config stays,
        // without its secret, so that secret stays refused instead of being adopted again.
        foreach (var key in ring.Keys.Where(k => k.Secret is not null && !StillValid(k, now, options.GracePeriod)))
        {
            key.Secret = null;
            changed = true;
        }

        changed |= ring.Keys.RemoveAll(k => k.Secret is null && k.Fingerprint != fingerprint) > 0;
        if (changed)
        {
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(ring, Json), AtomicFile.OwnerOnly);
            Forget();
        }

        return rotated;
    }

    private static string? RetireCurrent(KeyringFile ring, DateTimeOffset now)
    {
        string? retired = null;
        foreach (var key in ring.Keys.Where(k => k.Retired is null))
        {
            key.Retired = now;
            retired = key.Id;
        }

        return retired;
    }

    private static bool StillValid(KeyringKey key, DateTimeOffset now, TimeSpan grace) =>
        key.Retired is not { } retired || now < retired + grace;

    private static string NewId(DateTimeOffset now) =>
        $"k{now:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    private static string Fingerprint(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>
    /// The ring, re-read only when the file changed. A ring damaged after start (it is only ever
    /// replaced whole, so only a hand edit or a failing disk does that) is reported once, and the
    /// last good one is used meanwhile.
    /// </summary>
    private KeyringFile? Read(KeyRotationOptions options)
    {
        var path = Path.GetFullPath(options.KeyringPath(server.CurrentValue));
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        lock (_cacheLock)
        {
            if (_cache is { } cached && cached.Path == path && cached.Written == info.LastWriteTimeUtc && cached.Length == info.Length)
            {
                return cached.Ring;
            }
        }

        KeyringFile? ring;
        try
        {
            ring = Load(path);
        }
        catch (InvalidDataException ex)
        {
            _problem = ex.Message;
            lock (_cacheLock)
            {
                var lastGood = _cache?.Ring;
                if (_cache is null || _cache.Value.Written != info.LastWriteTimeUtc)
                {
                    KeyringLog.Unreadable(logger, path, ex.Message);
                }

                _cache = (path, info.LastWriteTimeUtc, info.Length, lastGood ?? new KeyringFile { Version = KeyringFile.CurrentVersion });
                return lastGood;
            }
        }

        _problem = null;
        lock (_cacheLock)
        {
            _cache = ring is null ? null : (path, info.LastWriteTimeUtc, info.Length, ring);
        }

        return ring;
    }

    private void Forget()
    {
        lock (_cacheLock)
        {
            _cache = null;
        }
    }

    private static KeyringFile? Load(string path)
    {
        try
        {
            var ring = JsonSerializer.Deserialize<KeyringFile>(File.ReadAllText(path), Json);
            return ring is { Version: KeyringFile.CurrentVersion } ? ring
                : throw new JsonException("it is not a HmacPortal keyring (the Go server's keys.json is not read; point key_storage at a file of its own)");
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"the keyring {path} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>One writer at a time across processes: an exclusive lock (flock) on a file beside the ring.</summary>
    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Real time, not the injected clock: this waits for another process.
        var deadline = Environment.TickCount64 + (long)LockWait.TotalMilliseconds;
        while (true)
        {
            try
            {
                return new FileStream(path + ".lock", new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = AtomicFile.OwnerOnly,
                });
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class KeyringFile
    {
        public const int CurrentVersion = 1;

        public int Version { get; set; }

        public List<KeyringKey> Keys { get; set; } = [];
    }

    private sealed class KeyringKey
    {
        public string Id { get; set; } = string.Empty;

        /// <summary>Null once the key's grace has ended (only the config's own secret is kept that way, by fingerprint).</summary>
        public string? Secret { get; set; }

        /// <summary>SHA-256 of the secret: how the configured secret is recognised.</summary>
        public string Fingerprint { get; set; } = string.Empty;

        public DateTimeOffset Created { get; set; }

        public DateTimeOffset? Retired { get; set; }
    }
}

/// <summary>The keyring as the console shows it; <paramref name="Problem"/> says why the file could not be read, if it could not.</summary>
public sealed record KeyringState(bool Enabled, DateTimeOffset? NextRotation, IReadOnlyList<KeyringEntry> Keys, string? Problem);

/// <summary>One key: <paramref name="ValidUntil"/> is null for the current key.</summary>
public sealed record KeyringEntry(
    string Id, bool IsConfigSecret, DateTimeOffset Created, DateTimeOffset? Retired, DateTimeOffset? ValidUntil, bool Valid, string Fingerprint);
