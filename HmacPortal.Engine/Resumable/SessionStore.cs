using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// Sessions on disk: for each upload a data file and a JSON sidecar in
/// <c>storage_path/.hmacportal-sessions/</c> (the same file system as the storage, so a finished
/// upload is committed by a rename; the name is internal, so nothing here can ever be served).
/// <para>
/// The sidecar is replaced atomically and flushed, and only after the bytes it counts are flushed:
/// it is what a machine that lost power resumes from. Between those checkpoints an upload's progress
/// goes to a second, unflushed record (<c>.live</c>) tagged with the kernel's boot id. After a
/// restart of the process (even <c>kill -9</c>) the page cache still holds what was written, so a
/// progress record of this boot is trusted; after a reboot it is not, and the flushed sidecar is.
/// So a PATCH need not wait for the disk, and no record ever counts bytes that are not there.
/// </para>
/// <para>
/// A finished upload's sidecar moves into <c>finished/</c>, where it answers a client that asks
/// again (a HEAD after a lost response) until it expires. So listing the sessions, which the
/// quota check, the admin console and every metrics scrape do, reads only the ones still open,
/// however many uploads have finished; a server taking many resumable uploads a day would
/// otherwise read every one of them on each scrape.
/// </para>
/// </summary>
public sealed class SessionStore
{
    public const string DirectoryName = StoragePath.InternalPrefix + "-sessions";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Larger than any progress record (a session's metadata comes from request headers); anything bigger is not one.</summary>
    private const int MaxProgressRecord = 1 << 20;

    private readonly IOptionsMonitor<ServerOptions> options;
    private readonly string? bootId;

    /// <summary>
    /// With Redis, several nodes may serve one upload, and a node cannot tell whether the machine
    /// that wrote a progress record has restarted since: every save is then flushed.
    /// </summary>
    public SessionStore(IOptionsMonitor<ServerOptions> options, IOptions<RedisOptions> redis)
        : this(options, redis.Value.RedisEnabled ? null : MachineBoot.Id)
    {
    }

    /// <param name="bootId">This boot's id; null where there is none, and then every save is flushed.</param>
    public SessionStore(IOptionsMonitor<ServerOptions> options, string? bootId)
    {
        this.options = options;
        this.bootId = bootId;
    }

    public string Directory => Path.Combine(options.CurrentValue.StoragePath, DirectoryName);

    public string DataPath(UploadId id) => Path.Combine(Directory, id.Value + ".bin");

    private string SidecarPath(UploadId id) => Path.Combine(Directory, id.Value + ".json");

    private string LivePath(UploadId id) => Path.Combine(Directory, id.Value + ".live");

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
    /// The session, open or finished: its progress record when that was written in this boot and is
    /// newer, else its flushed sidecar. The open sidecar is read before the finished one:
    /// <see cref="Finish"/> renames it into <c>finished/</c>, so a reader that misses it in the first
    /// place finds it in the other.
    /// </summary>
    public UploadSession? Get(UploadId id)
    {
        if ((Read<UploadSession>(SidecarPath(id)) ?? Read<UploadSession>(FinishedPath(id))) is not { } flushed)
        {
            return null;
        }

        return bootId is not null && ReadProgress(LivePath(id)) is { } live && live.BootId == bootId && live.Session.Revision > flushed.Revision
            ? live.Session
            : flushed;
    }

    private static T? Read<T>(string path)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the sidecar atomically and flushes it; returns the session as saved. The caller has
    /// flushed every byte up to <see cref="UploadSession.Offset"/> (or uses <see cref="Checkpoint"/>).
    /// </summary>
    public UploadSession Save(UploadSession session)
    {
        var id = Parse(session.Id);
        var saved = session with { Revision = session.Revision + 1, FlushedOffset = session.Offset };
        AtomicFile.WriteAllText(SidecarPath(id), JsonSerializer.Serialize(saved, Json), AtomicFile.OwnerOnly);
        File.Delete(LivePath(id));
        return saved;
    }

    /// <summary>Flushes the session's data file, then saves the session: for a state read back that may count unflushed bytes.</summary>
    public UploadSession Checkpoint(UploadSession session)
    {
        try
        {
            using var data = new FileStream(DataPath(Parse(session.Id)), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.ReadWrite, BufferSize = 0 });
            data.Flush(flushToDisk: true);
        }
        catch (FileNotFoundException)
        {
            // A session whose bytes were committed has no data file left to flush.
        }

        return Save(session);
    }

    /// <summary>
    /// Records progress whose bytes are written to <paramref name="data"/> but not flushed; returns
    /// the session as saved. Where the boot cannot be told apart, the data is flushed and the
    /// session saved instead.
    /// </summary>
    public UploadSession SaveProgress(UploadSession session, FileStream data)
    {
        if (bootId is null)
        {
            data.Flush(flushToDisk: true);
            return Save(session);
        }

        var saved = session with { Revision = session.Revision + 1 };
        WriteProgress(LivePath(Parse(session.Id)), new ProgressRecord(bootId, saved));
        return saved;
    }

    /// <summary>
    /// Overwrites the progress record in place with one write to the page cache: no new file, no
    /// rename, nothing the file system's journal has to take, so a PATCH never waits behind a flush
    /// running beside it. The record leads with the SHA-256 of its JSON and is padded with spaces to
    /// the length of the one it replaces; a reader that catches it half-written sees a mismatch and
    /// uses the flushed sidecar instead, never a mix of two records.
    /// </summary>
    private static void WriteProgress(string path, ProgressRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        var check = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(json)) + "\n");
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            UnixCreateMode = AtomicFile.OwnerOnly,
        });
        var content = new byte[Math.Max(check.Length + json.Length, RandomAccess.GetLength(file.SafeFileHandle))];
        check.CopyTo(content, 0);
        json.CopyTo(content, check.Length);
        content.AsSpan(check.Length + json.Length).Fill((byte)' ');
        RandomAccess.Write(file.SafeFileHandle, content, 0);
    }

    /// <summary>The progress record at <paramref name="path"/> if it is whole (its JSON matches its SHA-256), else null.</summary>
    private static ProgressRecord? ReadProgress(string path)
    {
        byte[] content;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            if (file.Length > MaxProgressRecord)
            {
                return null;
            }

            content = new byte[file.Length];
            file.ReadExactly(content);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return null;
        }

        var newline = Array.IndexOf(content, (byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        var json = content.AsSpan(newline + 1).TrimEnd((byte)' ');
        if (!Encoding.ASCII.GetString(content, 0, newline).Equals(Convert.ToHexStringLower(SHA256.HashData(json)), StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ProgressRecord>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

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

    /// <summary>
    /// Reserves room on disk for the whole of a new upload's data, its length unchanged (see
    /// <see cref="NativeFile.ReserveAhead"/>); false when the volume does not have it, and then
    /// nothing stays reserved. Only while nothing writes the data yet: a failed reservation
    /// truncates the file to its own length.
    /// </summary>
    public bool TryReserve(UploadId id, long length)
    {
        using var data = new FileStream(DataPath(id), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, BufferSize = 0 });
        return NativeFile.ReserveAhead(data.SafeFileHandle, 0, length) == 0;
    }

    /// <summary>Removes the session's data file and sidecar, open or finished; false if there was none.</summary>
    public bool Delete(UploadId id)
    {
        var existed = File.Exists(SidecarPath(id)) || File.Exists(FinishedPath(id));
        File.Delete(LivePath(id));
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

    /// <summary>
    /// Removes the data and progress records (<c>.bin</c>, <c>.live</c>) of sessions that have no
    /// sidecar, open or finished, and were last written before <paramref name="writtenBefore"/>:
    /// left by a crash between a session's data file and its sidecar being created, or by a sidecar
    /// removed by hand. Nothing else would ever remove them. Returns how many files went.
    /// </summary>
    public int SweepOrphans(DateTimeOffset writtenBefore)
    {
        var directory = new DirectoryInfo(Directory);
        if (!directory.Exists)
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in directory.EnumerateFiles("*"))
        {
            if (file.Extension is ".bin" or ".live"
                && UploadId.TryParse(Path.GetFileNameWithoutExtension(file.Name), out var id)
                && new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) < writtenBefore
                && !File.Exists(SidecarPath(id)) && !File.Exists(FinishedPath(id)))
            {
                file.Delete();
                removed++;
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

    /// <summary>A progress record: the session, and the boot it was written in.</summary>
    private sealed record ProgressRecord(string BootId, UploadSession Session);
}
