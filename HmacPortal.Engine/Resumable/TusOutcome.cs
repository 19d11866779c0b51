namespace HmacPortal.Engine.Resumable;

/// <summary>A tus answer: the result, a reason fit for the client, and the session as it now is.</summary>
public sealed record TusOutcome(TusResult Result, string Detail = "", UploadSession? Session = null)
{
    /// <summary>How long to wait before trying again (a rate limit).</summary>
    public TimeSpan? Wait { get; init; }
}
