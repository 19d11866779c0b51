using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// Makes sure <c>storage_path</c> is the volume this server's records describe. A storage volume
/// that is not mounted (yet) leaves its mount point behind as an empty directory, and a server that
/// took it for its storage would find every file gone: start-up reconciliation would drop every
/// record, uploads would fill the system disk and be hidden once the volume is mounted over them.
/// So the storage root carries a marker (<c>.hmacportal-volume</c>, a random id) and
/// <c>data_path</c> remembers it (<c>storage-volume</c>); while the two do not match, whatever
/// needs the files is answered 503 (<see cref="StorageUnavailableException"/>) and nothing is
/// written, deleted or reconciled, until the volume is back.
/// </summary>
/// <remarks>
/// The marker is made, and remembered, the first time the storage is used: on a new server, or on
/// one from before markers, where the storage root is adopted when it holds anything or no file is
/// recorded (an empty root with recorded files is the unmounted volume this guards against). An
/// operator who moves the files elsewhere on purpose moves the marker with them; one who starts over
/// with empty storage removes <c>storage-volume</c> from <c>data_path</c>.
/// </remarks>
public sealed class StorageVolumeGuard(IOptionsMonitor<ServerOptions> options, ILogger<StorageVolumeGuard> logger)
{
    public const string MarkerName = StoragePath.InternalPrefix + "-volume";
    public const string RecordName = "storage-volume";

    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly Lock _gate = new();
    private volatile Verified? _verified;
    private bool _filesRecorded = true;
    private string? _lastProblem;

    /// <summary>
    /// At start-up, before anything touches the storage: creates the storage directory of a server
    /// that has none yet, makes or adopts the marker where allowed, and says whether the storage is
    /// usable (a reason when not; it is logged once).
    /// </summary>
    /// <param name="filesRecorded">Whether the records name any file (only asked while no marker is remembered).</param>
    public string? Prepare(bool filesRecorded)
    {
        lock (_gate)
        {
            _filesRecorded = filesRecorded;
            var server = options.CurrentValue;
            if (ReadRecord(server) is null && !Directory.Exists(server.StoragePath) && !filesRecorded)
            {
                Directory.CreateDirectory(server.StoragePath);
            }
        }

        try
        {
            Ensure();
            return null;
        }
        catch (StorageUnavailableException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Throws <see cref="StorageUnavailableException"/> unless the storage root carries the remembered
    /// marker. Once verified, a call costs one <c>statx</c>: the marker must still be the very file
    /// (device and inode) that was read, which another volume's marker, or a copy, is not.
    /// </summary>
    public void Ensure()
    {
        if (_verified is { } verified && IsStill(verified, options.CurrentValue.StoragePath))
        {
            return;
        }

        lock (_gate)
        {
            var server = options.CurrentValue;
            string? problem;
            try
            {
                problem = Verify(server);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException and not StorageUnavailableException)
            {
                // A read-only or unreadable storage (or data_path) is unavailable storage, not a failed request or start.
                problem = $"the storage's volume marker cannot be read or written ({(ex is UnauthorizedAccessException ? "permission denied" : "I/O error")})";
            }

            if (problem is null)
            {
                if (_lastProblem is not null)
                {
                    StorageLog.VolumeBack(logger, server.StoragePath);
                    _lastProblem = null;
                }

                var marker = MarkerPath(server);
                _verified = FileLinks.Identify(marker) is { } identity ? new Verified(server.StoragePath, marker, identity) : null;
                return;
            }

            _verified = null;
            if (problem != _lastProblem)
            {
                StorageLog.VolumeUnavailable(logger, server.StoragePath, problem);
                _lastProblem = problem;
            }

            throw new StorageUnavailableException(problem);
        }
    }

    /// <summary>Under the gate: null when the storage is the remembered volume (making or adopting the marker where allowed), else why not.</summary>
    private string? Verify(ServerOptions server)
    {
        var root = Path.GetFullPath(server.StoragePath);
        var remembered = ReadRecord(server);
        if (!Directory.Exists(root))
        {
            return "the storage directory does not exist: removed, or its volume is not mounted";
        }

        var marker = ReadMarker(server);
        if (remembered is not null)
        {
            return marker == remembered ? null
                : marker is null
                    ? $"the storage directory does not carry this server's volume marker ({MarkerName}): its volume is probably not mounted. If the files were moved on purpose, move the marker with them; to start over with empty storage, remove {RecordName} from data_path"
                    : $"the storage directory carries another volume's marker ({MarkerName}): a different volume is mounted there. Mount the one this server stored its files on, or remove {RecordName} from data_path to adopt this one";
        }

        if (marker is null)
        {
            if (_filesRecorded && !Directory.EnumerateFileSystemEntries(root).Any())
            {
                return "the storage directory is empty but files are recorded: its volume is probably not mounted. To start over with empty storage, delete the records (or the database) first";
            }

            // Two nodes sharing one storage may both get here: the second takes the first's marker.
            AtomicFile.TryCreate(Path.Combine(root, MarkerName), Guid.NewGuid().ToString("N"), ReadWrite);
            marker = ReadMarker(server);
            if (marker is null)
            {
                return "the storage directory's volume marker could not be written";
            }
        }

        AtomicFile.WriteAllText(Path.Combine(server.DataPath, RecordName), marker, ReadWrite);
        StorageLog.VolumeAdopted(logger, root);
        return null;
    }

    /// <summary>Whether the verified marker is still the storage's: the same root (the setting may change), the same file.</summary>
    private static bool IsStill(Verified verified, string root)
    {
        try
        {
            return string.Equals(verified.Root, root, StringComparison.Ordinal)
                && FileLinks.Identify(verified.Marker) is { } now && now.IsSameFile(verified.Identity);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string MarkerPath(ServerOptions server) => Path.Combine(Path.GetFullPath(server.StoragePath), MarkerName);

    private static string? ReadMarker(ServerOptions server) => ReadId(MarkerPath(server));

    private static string? ReadRecord(ServerOptions server) => ReadId(Path.Combine(server.DataPath, RecordName));

    /// <summary>
    /// The id in a marker or record, or null when there is none. Unlike <see cref="MachineBoot.Read"/>,
    /// only absence is null: a marker or record that cannot be read must not be taken for a missing one
    /// (and so be made or adopted anew); the caller reports it as unavailable storage.
    /// </summary>
    private static string? ReadId(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private sealed record Verified(string Root, string Marker, FileIdentity Identity);
}
