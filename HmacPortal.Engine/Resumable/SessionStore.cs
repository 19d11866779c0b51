using System.Text.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// Sessions on disk: for each upload a data file and a JSON sidecar in
/// <c>storage_path/.hmacportal-sessions/</c> (the same file system as the storage, so a finished
/// upload is committed by a rename; the name is internal, so nothing here can ever be served).
/// The sidecar is replaced atomically and only after the bytes it counts are flushed.
/// A finished upload's sidecar moves into <c>finished/</c>, where it answers a client that asks
/// again (a HEAD after a lost response) until it expires. So listing the sessions, which the
/// quota check, the admin console and every metrics scrape do, reads only the ones still open,
/// however many uploads have finished; a server taking many resumable uploads a day would
/// otherwise read every one of them on each scrape.
/// </summary>
public sealed class SessionStore(IOptionsMonitor<ServerOptions> options)
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-sessions";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string Directory => Path.Combine(options.CurrentValue.StoragePath, DirectoryName);

    public string DataPath(UploadId id) => Path.Combine(Directory, id.Value + ".bin");

    private string SidecarPath(UploadId id) => Path.Combine(Directory, id.Value + ".json");

    private string FinishedDirectory => Path.Combine(Directory, "finished");

    private string FinishedPath(UploadId id) => Path.Combine(FinishedDirectory, id.Value + ".json");

    public void Create(UploadSession session)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using (new FileStream(DataPath(Parse(session.Id)), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
        }

        Save(session);
    }

    /// <summary>
    /// The session, open or finished. The open sidecar is read first: <see cref="Finish"/> renames it
    /// into <c>finished/</c>, so a reader that misses it there finds it in the other place.
    /// </summary>
    public UploadSession? Get(UploadId id) => Read(SidecarPath(id)) ?? Read(FinishedPath(id));

    private static UploadSession? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<UploadSession>(File.ReadAllText(path), Json);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the sidecar atomically.</summary>
    public void Save(UploadSession session) =>
        AtomicFile.WriteAllText(SidecarPath(Parse(session.Id)), JsonSerializer.Serialize(session, Json), AtomicFile.OwnerOnly);

    /// <summary>
    /// Records <paramref name="session"/> (whose bytes are committed, so it has no data file left) as
    /// finished: its sidecar is saved, stamped with its expiry as the file's modification time, and
    /// renamed into <c>finished/</c>. A crash before the rename leaves it open but marked completed,
    /// which every reader handles.
    /// </summary>
    public void Finish(UploadSession session)
    {
        if (!session.Completed)
        {
            throw new ArgumentException("only a completed session is finished", nameof(session));
        }

        var id = Parse(session.Id);
        Save(session);
        System.IO.Directory.CreateDirectory(FinishedDirectory);
        File.SetLastWriteTimeUtc(SidecarPath(id), session.Expires.UtcDateTime);
        File.Move(SidecarPath(id), FinishedPath(id), overwrite: true);
    }

    /// <summary>Removes the session's data file and sidecar, open or finished; false if there was none.</summary>
    public bool Delete(UploadId id)
    {
        var existed = File.Exists(SidecarPath(id)) || File.Exists(FinishedPath(id));
        File.Delete(DataPath(id));
        File.Delete(SidecarPath(id));
        if (System.IO.Directory.Exists(FinishedDirectory))
        {
            File.Delete(FinishedPath(id));
        }

        return existed;
    }

    /// <summary>
    /// Removes the finished records that expired before <paramref name="expiredBefore"/>, judged by the
    /// expiry <see cref="Finish"/> stamped on each, so none has to be read; returns their ids.
    /// </summary>
    public IReadOnlyList<UploadId> SweepFinished(DateTimeOffset expiredBefore)
    {
        var removed = new List<UploadId>();
        var finished = new DirectoryInfo(FinishedDirectory);
        if (!finished.Exists)
        {
            return removed;
        }

        foreach (var file in finished.EnumerateFiles("*.json"))
        {
            if (new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) < expiredBefore
                && UploadId.TryParse(Path.GetFileNameWithoutExtension(file.Name), out var id))
            {
                file.Delete();
                removed.Add(id);
            }
        }

        return removed;
    }

    /// <summary>Every open session's id (and any completed but not yet moved into <c>finished/</c>).</summary>
    public IEnumerable<UploadId> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            yield break;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            if (UploadId.TryParse(Path.GetFileNameWithoutExtension(file), out var id))
            {
                yield return id;
            }
        }
    }

    private static UploadId Parse(string id) =>
        UploadId.TryParse(id, out var parsed) ? parsed : throw new ArgumentException("not an upload id", nameof(id));
}
