namespace HmacPortal.Engine.Processing;

/// <summary>The work owed to a stored file after its upload (see <see cref="FileProcessor"/>).</summary>
public interface IFileProcessor
{
    /// <summary>Does the work for <paramref name="path"/>; false when there was nothing to do.</summary>
    Task<bool> ProcessAsync(string path, CancellationToken cancellationToken);
}
