namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[server]</c> table. See <see cref="ConfigSchema"/> for each key's meaning.</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    public string ListenAddress { get; set; } = "8080";
    public string BindIp { get; set; } = "127.0.0.1";
    public bool UnixSocket { get; set; }
    public string StoragePath { get; set; } = "./data/files";
    public string DataPath { get; set; } = "./data/state";
    public string UploadPrefix { get; set; } = "/upload/";
    public ByteSize MaxUploadSize { get; set; } = ByteSize.Parse("10GB");
    public ByteSize MinFreeBytes { get; set; } = ByteSize.Parse("100MB");
    public string PidFilePath { get; set; } = string.Empty;
    public string FileNaming { get; set; } = "original";
    public List<string> TrustedProxies { get; set; } = [];
    public bool MetricsEnabled { get; set; }
    public string MetricsPort { get; set; } = string.Empty;
    public string MetricsToken { get; set; } = string.Empty;
    public bool FileTtlEnabled { get; set; }
    public TimeSpan FileTtl { get; set; } = TimeSpan.FromHours(168);

    public static readonly TimeSpan DefaultEphemeralTtl = TimeSpan.FromDays(1);

    /// <summary>How long a file uploaded with the XEP-0363 purpose "ephemeral" (a JWT's purpose claim) is kept.</summary>
    public TimeSpan EphemeralTtl { get; set; } = DefaultEphemeralTtl;

    /// <summary><see cref="MetricsPort"/> as a number ("9090" and the Go server's ":9090" alike), or null when unset or invalid.</summary>
    public int? MetricsPortNumber =>
        int.TryParse(MetricsPort.TrimStart(':'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : null;
}
