namespace HmacPortal.Engine.Storage;

/// <summary>
/// The storage directory is not there: removed while the server runs, or below a mount point whose
/// volume is not mounted. Requests that need it are answered 503 until it is back; nothing is written elsewhere.
/// </summary>
public sealed class StorageUnavailableException : IOException
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
