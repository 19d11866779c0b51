namespace HmacPortal.Engine.Scanning;

public enum ScanResult
{
    Clean,
    Infected,
    /// <summary>Not scanned on purpose (scanning off, its suffix not listed, larger than maxscansize).</summary>
    Skipped,
    /// <summary>clamd could not be asked (down, timed out, the circuit breaker is open); the file is scanned later.</summary>
    Unavailable,
}

/// <summary>What scanning a file came to; <see cref="Detail"/> names the signature found or why it was not scanned.</summary>
public sealed record ScanVerdict(ScanResult Result, string Detail = "")
{
    /// <summary>How the verdict is recorded on the file.</summary>
    public string? Recorded => Result switch
    {
        ScanResult.Clean => "clean",
        ScanResult.Infected => $"infected: {Detail}",
        ScanResult.Skipped => $"unscanned: {Detail}",
        _ => null,
    };
}
