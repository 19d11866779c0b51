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
/// </summary>
public sealed class SessionStore(IOptionsMonitor<ServerOptions> options)
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-sessions";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string Directory => Path.Combine(options.CurrentValue.StoragePath, DirectoryName);

    public string DataPath(UploadId id) => Path.Combine(Directory, id.Value + ".bin");

    private string SidecarPath(UploadId id) => Path.Combine(Directory, id.Value + ".json");

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

    public UploadSession? Get(UploadId id)
    {
        try
        {
            return JsonSerializer.Deserialize<UploadSession>(File.ReadAllText(SidecarPath(id)), Json);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the sidecar atomically.</summary>
    public void Save(UploadSession session) =>
        AtomicFile.WriteAllText(SidecarPath(Parse(session.Id)), JsonSerializer.Serialize(session, Json), AtomicFile.OwnerOnly);

    /// <summary>Removes the session's data file and sidecar; false if there was none.</summary>
    public bool Delete(UploadId id)
    {
        var existed = File.Exists(SidecarPath(id));
        File.Delete(DataPath(id));
        File.Delete(SidecarPath(id));
        return existed;
    }

    /// <summary>Every session's id, for sweeping.</summary>
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
