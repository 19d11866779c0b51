namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[clamav]</c> table, with the Go server's key names.</summary>
public sealed class ClamAvOptions
{
    public const string Section = "Clamav";

    public bool ClamAvEnabled { get; set; }

    /// <summary>clamd's Unix socket path, or <c>host:port</c> for its TCP socket.</summary>
    public string ClamAvSocket { get; set; } = "/var/run/clamav/clamd.ctl";

    /// <summary>How many scans may run at once.</summary>
    public int NumScanWorkers { get; set; } = 2;

    /// <summary>Only files ending in these are scanned; empty scans every file.</summary>
    public List<string> ScanFileExtensions { get; set; } = [];

    /// <summary>Larger files are not scanned (keep it within clamd's StreamMaxLength).</summary>
    public ByteSize MaxScanSize { get; set; } = ByteSize.Parse("100MB");

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>accept</c>: uploads go on while clamd is down and are scanned when it is back; <c>refuse</c>: uploads get 503 meanwhile.</summary>
    public string OnUnavailable { get; set; } = "accept";
}
