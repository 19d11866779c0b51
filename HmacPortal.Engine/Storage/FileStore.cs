using System.IO.Pipelines;
using System.Security.Cryptography;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Storage;

/// <summary>
/// The committed files under <c>storage_path</c>. A write streams into a file without a name in the
/// target directory (<c>O_TMPFILE</c>), hashes on the way, flushes to disk, and then gives the file
/// its name without overwrite (<c>linkat</c>): the naming decides which of two racing writers wins.
/// A write that fails, or a crash, leaves nothing under any name. On file systems without unnamed
/// files the same steps use a temp file and a rename without overwrite; on failure the temp file is
/// removed, and after a crash <see cref="SweepTempFiles"/> removes what is left.
/// </summary>
/// <param name="guard">Checks that the storage root is the volume the records describe; none in tests of the store alone.</param>
public sealed class FileStore(IOptionsMonitor<ServerOptions> options, StorageVolumeGuard? guard = null)
{
    public const string TempPrefix = StoragePath.InternalPrefix + "-tmp-";

    /// <summary>How many leading bytes a write shows to its vetting.</summary>
    public const int HeadLength = 512;

    private readonly DirectoryFlushes _directories = new();

    /// <summary>Whether writes go into unnamed files (<c>O_TMPFILE</c>); tests turn it off to cover the named temp files used elsewhere.</summary>
    internal bool UnnamedFiles { get; init; } = NativeFile.UnnamedFilesWork;

    /// <summary>How much written data may pile up before its writeback is started.</summary>
    private const long WritebackChunk = 8L << 20;

    public string Root => options.CurrentValue.StoragePath;

    /// <summary>The file at <paramref name="path"/> if it is a committed regular file (never a link or a directory).</summary>
    public FileInfo? Find(StoragePath path)
    {
        var info = new FileInfo(path.ToFullPath(Root));
        return info.Exists && info.LinkTarget is null ? info : null;
    }

    /// <summary>Whether anything (a file, a directory, a link) is at <paramref name="path"/>: one system call.</summary>
    public bool Exists(StoragePath path) => NativeFile.Exists(path.ToFullPath(Root));

    /// <summary>Streams exactly <paramref name="length"/> bytes from <paramref name="body"/> into a new file at <paramref name="path"/>.</summary>
    /// <remarks>
    /// <paramref name="cancellationToken"/> stops the transfer; once every byte has arrived the flush and
    /// rename run to the end regardless, so a completed upload is never thrown away.
    /// </remarks>
    /// <param name="received">Told how many more bytes arrived after each read, for progress.</param>
    /// <param name="vet">Shown the body's first bytes (up to <see cref="HeadLength"/>) once all of it arrived; a reason it returns refuses the file.</param>
    public async Task<FileWriteResult> WriteAsync(
        StoragePath path, PipeReader body, long length, Action<long>? received, CancellationToken cancellationToken, Func<byte[], int, string?>? vet = null)
    {
        // Whether something is already at the path was asked before the body (UploadLimits); the
        // naming without overwrite below is what decides it, so it is not asked again here.
        var target = path.ToFullPath(Root);
        var directory = Path.GetDirectoryName(target)!;
        string? temp = null;
        var named = false;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var head = vet is null ? null : new byte[HeadLength];
            var headLength = 0;
            long total;
            var file = OpenPending(directory, out temp);
            await using (file)
            {
                // Reserving the space up front turns a full disk into an immediate, clean failure. A
                // body of one buffer or less is written by a single call, which fails the same way.
                if (length > BodyCopier.BufferSize && NativeFile.Reserve(file.SafeFileHandle, length) != 0)
                {
                    return new FileWriteResult(FileWriteStatus.NoSpace);
                }

                var copy = await BodyCopier.CopyAsync(
                    body,
                    file,
                    length,
                    BodyCopier.GoesDirect(length),
                    WritebackChunk,
                    block =>
                    {
                        hash.AppendData(block);
                        if (head is not null && headLength < head.Length)
                        {
                            var taken = Math.Min(block.Length, head.Length - headLength);
                            block[..taken].CopyTo(head.AsSpan(headLength));
                            headLength += taken;
                        }
                    },
                    null,
                    received,
                    cancellationToken).ConfigureAwait(false);
                switch (copy.Stop)
                {
                    case BodyCopyStop.Interrupted:
                        return new FileWriteResult(FileWriteStatus.ClientGone);
                    case BodyCopyStop.TooLong:
                        return new FileWriteResult(FileWriteStatus.TooLong);
                    case BodyCopyStop.Ended when copy.Written != length:
                        return new FileWriteResult(FileWriteStatus.Truncated, copy.Written);
                }

                total = copy.Written;
                if (head is not null && vet!(head, headLength) is { } refusal)
                {
                    return new FileWriteResult(FileWriteStatus.Refused, Detail: refusal);
                }

                file.Flush(flushToDisk: true);
                if (temp is null)
                {
                    // An unnamed file is named through its open descriptor, before it is closed.
                    if (!NativeFile.TryName(file.SafeFileHandle, target))
                    {
                        return new FileWriteResult(FileWriteStatus.Exists);
                    }

                    named = true;
                }
            }

            if (temp is not null)
            {
                if (!NoReplaceRename.TryMove(temp, target))
                {
                    return new FileWriteResult(FileWriteStatus.Exists);
                }

                named = true;
            }

            await _directories.FlushAsync(directory).ConfigureAwait(false);
            return new FileWriteResult(FileWriteStatus.Stored, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch (IOException ex) when (IsNoSpace(ex))
        {
            return new FileWriteResult(FileWriteStatus.NoSpace);
        }
        finally
        {
            if (!named && temp is not null)
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// The file a write goes into until it is whole and flushed: an unnamed one in the target
    /// directory where the file system has them (<paramref name="temp"/> is then null), else a
    /// temp file named <see cref="TempPrefix"/>…; the directory is created when missing.
    /// </summary>
    private FileStream OpenPending(string directory, out string? temp)
    {
        if (UnnamedFiles)
        {
            var error = NativeFile.OpenUnnamed(directory, out var handle);
            if (error == Errno.NoEnt)
            {
                Directory.CreateDirectory(directory);
                error = NativeFile.OpenUnnamed(directory, out handle);
            }

            if (error == 0)
            {
                temp = null;
                return new FileStream(handle!, FileAccess.Write, bufferSize: 0);
            }

            if (!NativeFile.IsUnnamedUnsupported(error))
            {
                throw new IOException($"creating a file in {directory} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }

        Directory.CreateDirectory(directory);
        temp = Path.Combine(directory, $"{TempPrefix}{Guid.NewGuid():N}");
        return new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        });
    }

    /// <summary>
    /// Commits a finished file that was written elsewhere under the root (a resumable session's data)
    /// by renaming it, without overwrite, to <paramref name="target"/>. The source must already be
    /// flushed to disk.
    /// </summary>
    public FileWriteStatus Commit(string source, StoragePath target)
    {
        var full = target.ToFullPath(Root);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        if (!NoReplaceRename.TryMove(source, full))
        {
            return FileWriteStatus.Exists;
        }

        NativeFile.FlushDirectory(directory);
        return FileWriteStatus.Stored;
    }

    /// <summary>Removes a committed file; false if there was none.</summary>
    public bool Delete(StoragePath path)
    {
        var info = Find(path);
        if (info is null)
        {
            return false;
        }

        info.Delete();
        return true;
    }

    /// <summary>Every committed file under the root, as storage paths (internal and unparseable names skipped).</summary>
    public IEnumerable<(StoragePath Path, FileInfo File)> EnumerateCommitted()
    {
        var root = Path.GetFullPath(Root);
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (file.LinkTarget is null
                && StoragePath.TryCreate(Path.GetRelativePath(root, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), out var path, out _))
            {
                yield return (path, file);
            }
        }
    }

    /// <summary>
    /// Deletes temp files last written before <paramref name="writtenBefore"/>, left by writes that never
    /// finished (a crash or kill); returns how many. At start-up, before the server listens, every temp
    /// file is such a leftover.
    /// </summary>
    public int SweepTempFiles(DateTimeOffset writtenBefore)
    {
        var root = Path.GetFullPath(Root);
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(root, TempPrefix + "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero) < writtenBefore)
            {
                File.Delete(file);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Removes the now-empty directories that held <paramref name="path"/>, innermost first, up to (not
    /// including) the storage root; stops at the first that is not empty. Safe while uploads run: a
    /// directory an upload is about to use is recreated by it.
    /// </summary>
    public int PruneEmptyDirectories(StoragePath path)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Root));
        var removed = 0;
        for (var directory = Path.GetDirectoryName(path.ToFullPath(Root)); directory is not null && directory.Length > root.Length; directory = Path.GetDirectoryName(directory))
        {
            try
            {
                if (!Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    break;
                }

                Directory.Delete(directory);
                removed++;
            }
            catch (IOException)
            {
                // Something was put there meanwhile; it stays.
                break;
            }
        }

        return removed;
    }

    /// <summary>Free space on the storage volume.</summary>
    /// <exception cref="StorageUnavailableException">The storage is not there, or not the volume the records describe.</exception>
    public StorageVolume Volume()
    {
        EnsureAvailable();
        return StorageVolume.Of(Root);
    }

    /// <summary>
    /// Throws <see cref="StorageUnavailableException"/> unless the storage root is there and is the
    /// volume the records describe (<see cref="StorageVolumeGuard"/>): called before anything that
    /// would write, delete or conclude a file is missing.
    /// </summary>
    public void EnsureAvailable() => guard?.Ensure();

    /// <summary>A write failed because the volume or a quota is full (.NET carries the errno in HResult on Linux).</summary>
    internal static bool IsNoSpace(IOException ex) => ex.HResult is Errno.NoSpc or Errno.DQuot;
}
