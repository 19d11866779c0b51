namespace HmacPortal.Engine.Processing;

/// <summary>The work owed to a stored file after its upload (see <see cref="FileProcessor"/>).</summary>
public interface IFileProcessor
{
    /// <summary>Does the work for <paramref name="path"/>; false when there was nothing to do.</summary>
    Task<bool> ProcessAsync(string path, CancellationToken cancellationToken);

    /// <summary>Whether a file like <paramref name="record"/> has any work owed now (false: it is recorded as processed at once).</summary>
    bool IsOwed(Metadata.FileRecord record);
}
