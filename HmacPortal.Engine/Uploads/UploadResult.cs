namespace HmacPortal.Engine.Uploads;

/// <summary>Every way an upload can end. The host maps each to one HTTP status in one place.</summary>
public enum UploadResult
{
    /// <summary>201.</summary>
    Stored,
    /// <summary>A file already exists at the path: 409, never overwritten.</summary>
    Exists,
    /// <summary>The path is not acceptable: 400.</summary>
    BadPath,
    /// <summary>No Content-Length: 411.</summary>
    LengthRequired,
    /// <summary>MAC missing, malformed or wrong, or a v3 link expired: 403.</summary>
    Forbidden,
    /// <summary>A JWT that is missing, malformed or wrongly signed: 401.</summary>
    Unauthorized,
    /// <summary>A JWT past its exp: 410.</summary>
    TokenExpired,
    /// <summary>The path does not match the JWT's slot and filename: 400.</summary>
    TokenPathMismatch,
    /// <summary>Larger than max_upload_size or the JWT's filesize: 413.</summary>
    TooLarge,
    /// <summary>The name's suffix is not in allowed_extensions: 415.</summary>
    ExtensionNotAllowed,
    /// <summary>The body ended before Content-Length or ran past it: 400, nothing kept.</summary>
    LengthMismatch,
    /// <summary>The uploader's quota has no room for it: 413, before the body is read.</summary>
    QuotaExceeded,
    /// <summary>Not enough free space above min_free_bytes (or the global quota is full): 507.</summary>
    InsufficientStorage,
    /// <summary>The client's address is banned after repeated signature failures: 403 before any work.</summary>
    Banned,
    /// <summary>The client went away mid-body; nothing kept.</summary>
    ClientGone,
    /// <summary>The content is not of its declared type, or its type is not accepted ([validation]): 415, nothing kept.</summary>
    TypeNotAccepted,
    /// <summary>Virus scanning must be available and is not: 503 with Retry-After.</summary>
    Unavailable,

    /// <summary>The owner is uploading faster than <c>[rate_limit]</c> allows: 429 with Retry-After, before the body.</summary>
    RateLimited,

    /// <summary>The database that records files is unreachable: 503 with Retry-After, and nothing is kept.</summary>
    DatabaseUnavailable,
}
