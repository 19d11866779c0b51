namespace HmacPortal.Engine.Resumable;

/// <summary>Every way a tus request can end; the host maps each to one status.</summary>
public enum TusResult
{
    /// <summary>201 with Location.</summary>
    Created,
    /// <summary>204 with the new offset (and the file's URL once complete).</summary>
    Written,
    /// <summary>200 for HEAD.</summary>
    Found,
    /// <summary>204 for DELETE.</summary>
    Terminated,
    NotFound,
    /// <summary>410: the upload expired.</summary>
    Gone,
    /// <summary>409: Upload-Offset is not the stored offset; nothing changed.</summary>
    OffsetMismatch,
    /// <summary>415: a PATCH body must be application/offset+octet-stream.</summary>
    WrongContentType,
    /// <summary>460: the chunk does not match Upload-Checksum; it was discarded.</summary>
    ChecksumMismatch,
    /// <summary>400: a request that is malformed (headers, metadata, lengths).</summary>
    BadRequest,
    /// <summary>401: no acceptable grant.</summary>
    Unauthorized,
    /// <summary>403: the grant does not cover this upload.</summary>
    Forbidden,
    /// <summary>413: longer than allowed.</summary>
    TooLarge,
    /// <summary>413: the owner's quota has no room for this upload.</summary>
    QuotaExceeded,
    /// <summary>415: the file name's suffix is not accepted.</summary>
    ExtensionNotAllowed,
    /// <summary>409: the finished file's path is taken.</summary>
    Exists,
    /// <summary>507: not enough free space.</summary>
    InsufficientStorage,
    /// <summary>415: the finished file's content is not of its declared type, or its type is not accepted; it was discarded.</summary>
    TypeNotAccepted,
    /// <summary>503: uploads wait for virus scanning to be available again.</summary>
    Unavailable,

    /// <summary>429 with Retry-After: the owner is uploading faster than <c>[rate_limit]</c> allows.</summary>
    RateLimited,

    /// <summary>503 with Retry-After: the database that records files is unreachable; the upload stays, whole, to be finished later.</summary>
    DatabaseUnavailable,
    /// <summary>411: the request needs a Content-Length.</summary>
    LengthRequired,
    /// <summary>The client went away or another request took over; what arrived is kept.</summary>
    Interrupted,
}
