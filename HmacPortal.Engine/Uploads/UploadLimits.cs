using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Uploads;

public enum LimitBreach
{
    None,
    TooLarge,
    ExtensionNotAllowed,
    Exists,
    InsufficientStorage,
    /// <summary>Virus scanning is on, clamd is failing, and on_unavailable says refuse.</summary>
    ScannerUnavailable,
}

/// <summary>
/// The limits every way of uploading shares, checked before any byte is accepted: virus scanning
/// being available when it must be, the size limit, the accepted suffixes, a file already at the
/// path, and free space above min_free_bytes.
/// </summary>
public sealed class UploadLimits(
    FileStore files,
    StorageLayout layout,
    IOptionsMonitor<ServerOptions> server,
    IOptionsMonitor<UploadsOptions> uploads,
    Scanning.VirusScanner scanner)
{
    /// <summary>
    /// Throws <see cref="StorageUnavailableException"/> while the storage is not the volume the records
    /// describe: an upload session that seems missing then is on a volume that is not mounted (503, not 404).
    /// </summary>
    public void EnsureStorage() => files.EnsureAvailable();

    /// <param name="length">The declared length, or null when it is not known yet (it is then checked later).</param>
    /// <param name="isPart">A part of a parallel upload: no name to check and nothing stored under the path.</param>
    public (LimitBreach Breach, string Detail) Check(StoragePath path, long? length, bool isPart = false)
    {
        var limits = server.CurrentValue;
        if (scanner.RefusesUploads)
        {
            return (LimitBreach.ScannerUnavailable, "virus scanning is unavailable and uploads wait until it is back; try again later");
        }

        if (length > limits.MaxUploadSize.Bytes)
        {
            return (LimitBreach.TooLarge, $"the file is larger than the limit of {limits.MaxUploadSize.ToDisplayString()}");
        }

        var allowed = uploads.CurrentValue.AllowedExtensions;
        if (!isPart && allowed.Count > 0 && !allowed.Any(suffix => path.FileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
        {
            return (LimitBreach.ExtensionNotAllowed, $"files ending in {string.Join(", ", allowed)} are accepted; this name is not");
        }

        if (!isPart && files.Exists(layout.Locate(path)))
        {
            return (LimitBreach.Exists, "a file already exists at this path");
        }

        if (files.Volume().FreeBytes - (length ?? 0) < limits.MinFreeBytes.Bytes)
        {
            return (LimitBreach.InsufficientStorage, "the server does not have enough free space for this file");
        }

        return (LimitBreach.None, string.Empty);
    }
}
