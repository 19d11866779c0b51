using System.Data.Common;

namespace HmacPortal.Engine.Metadata;

/// <summary>
/// The database cannot be reached (or was not reachable a moment ago and is not tried again yet).
/// Uploads are refused with 503 and Retry-After, so no file is kept without its record; downloads
/// of committed files go on from the disk.
/// </summary>
public sealed class DatabaseUnavailableException : DbException
{
    public DatabaseUnavailableException()
    {
    }

    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    public DatabaseUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>When to try again.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
