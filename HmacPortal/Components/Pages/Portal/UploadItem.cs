namespace HmacPortal.Components.Pages.Portal;

public enum UploadState
{
    /// <summary>Waiting for the server's go-ahead.</summary>
    Starting,
    Uploading,
    Paused,
    /// <summary>The network is down; it continues when the browser is back online.</summary>
    Waiting,
    Failed,
    /// <summary>The server refused it before any byte was sent (size, type, quota).</summary>
    Refused,
    Done,
}

/// <summary>One file on the upload page, as the browser's upload client reports it.</summary>
public sealed class UploadItem(string key, string name, long size)
{
    public string Key { get; } = key;

    public string Name { get; } = name;

    public long Size { get; } = size;

    public long Sent { get; set; }

    public double BytesPerSecond { get; set; }

    public UploadState State { get; set; } = UploadState.Starting;

    public string? Error { get; set; }

    /// <summary>The stored file's path once granted (its download path).</summary>
    public string? Path { get; set; }

    /// <summary>True when this continues an upload started before a reload or restart.</summary>
    public bool Resumed { get; set; }

    /// <summary>Chosen for a share link.</summary>
    public bool Selected { get; set; }

    public double Percent => Size == 0 ? (State == UploadState.Done ? 100 : 0) : Math.Min(100, Sent * 100.0 / Size);

    public TimeSpan? TimeLeft => State == UploadState.Uploading && BytesPerSecond > 1 ? TimeSpan.FromSeconds((Size - Sent) / BytesPerSecond) : null;
}

/// <summary>An upload the browser remembers from an earlier visit that has not finished.</summary>
public sealed record UnfinishedUpload(string Name, long Size, string StorageKey, string? Started);

/// <summary>The server's answer to a file the browser wants to send.</summary>
public sealed record GrantAnswer(string? Token, string? Path, string? Error);
