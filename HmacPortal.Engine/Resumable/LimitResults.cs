using HmacPortal.Engine.Uploads;

namespace HmacPortal.Engine.Resumable;

/// <summary>How a breached upload limit is answered by the session-based uploads (tus and the chunked API).</summary>
internal static class LimitResults
{
    public static TusResult Of(LimitBreach breach) => breach switch
    {
        LimitBreach.TooLarge => TusResult.TooLarge,
        LimitBreach.ExtensionNotAllowed => TusResult.ExtensionNotAllowed,
        LimitBreach.Exists => TusResult.Exists,
        LimitBreach.ScannerUnavailable => TusResult.Unavailable,
        _ => TusResult.InsufficientStorage,
    };
}
