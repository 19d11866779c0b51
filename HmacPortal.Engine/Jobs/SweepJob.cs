using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Jobs;

/// <summary>
/// Removes what interrupted work left behind: resumable uploads expired for longer than a day, and
/// temp files of writes and session files without a session that have not moved for an hour (a
/// write in progress touches its file with every buffer, and a stalled client is cut off long before).
/// </summary>
public sealed class SweepJob(TusService tus, FileStore files, TimeProvider clock, ILogger<SweepJob> logger)
{
    public static readonly TimeSpan TempFileIdle = TimeSpan.FromHours(1);

    /// <summary>Sweeps; throws <see cref="StorageUnavailableException"/>, removing nothing, while the storage is unavailable (another volume's files are not its to judge).</summary>
    public Task<(int Sessions, int TempFiles)> RunAsync(CancellationToken cancellationToken)
    {
        files.EnsureAvailable();
        var sessions = tus.SweepExpired();
        var idleBefore = clock.GetUtcNow() - TempFileIdle;
        var temps = cancellationToken.IsCancellationRequested ? 0 : files.SweepTempFiles(idleBefore) + tus.SweepOrphans(idleBefore);
        if (sessions + temps > 0)
        {
            JobsLog.Swept(logger, sessions, temps);
        }

        return Task.FromResult((sessions, temps));
    }
}
