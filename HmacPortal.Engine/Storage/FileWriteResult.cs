namespace HmacPortal.Engine.Storage;

public enum FileWriteStatus
{
    Stored,
    /// <summary>A file is already at the path; nothing was written.</summary>
    Exists,
    /// <summary>The body ended before the declared length.</summary>
    Truncated,
    /// <summary>The body ran past the declared length.</summary>
    TooLong,
    /// <summary>The volume or a quota ran out of space.</summary>
    NoSpace,
    /// <summary>The client went away or the request was cancelled.</summary>
    ClientGone,
    /// <summary>The whole body arrived but its content was refused (see <see cref="FileWriteResult.Detail"/>); nothing was kept.</summary>
    Refused,
}

/// <summary>What <see cref="FileStore.WriteAsync"/> did. Anything but <see cref="FileWriteStatus.Stored"/> left no file behind.</summary>
public sealed record FileWriteResult(FileWriteStatus Status, long Length = 0, string? Sha256 = null, string? Detail = null);
