namespace HmacPortal.Engine.Configuration;

/// <summary>
/// The <c>[key_rotation]</c> table: a keyring of the current HMAC secret and the retired ones still
/// in their grace period, replacing <c>[security] secret</c> on a schedule or from the admin console.
/// </summary>
public sealed class KeyRotationOptions
{
    public const string Section = "KeyRotation";

    public bool Enabled { get; set; }

    /// <summary>Age at which the current key is replaced by the scheduled job; zero rotates only by hand.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a replaced key still verifies MACs.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(48);

    /// <summary>The keyring file; empty keeps it as <c>keyring.json</c> in <c>[server] data_path</c>.</summary>
    public string KeyStorage { get; set; } = string.Empty;

    public string KeyringPath(ServerOptions server) =>
        KeyStorage.Length > 0 ? KeyStorage : Path.Combine(server.DataPath, "keyring.json");
}
