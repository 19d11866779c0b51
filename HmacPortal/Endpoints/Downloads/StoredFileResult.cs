using Microsoft.Net.Http.Headers;

namespace HmacPortal.Endpoints.Downloads;

/// <summary>
/// Sends a stored file that was there when the request looked it up. Expiry, a delete or a share
/// link's last download can remove it before the answer opens it; the client then gets the 404 the
/// address now is, not a failed request: the file is opened before the response starts, so its
/// absence is found while the answer can still change. Once open, the file is read to the end
/// whatever happens to its name.
/// </summary>
internal sealed class StoredFileResult(IResult file) : IResult
{
    /// <summary>What the file's answer may have set before it found the file gone, and a 404 must not carry.</summary>
    private static readonly string[] FileHeaders =
    [
        HeaderNames.ContentDisposition, HeaderNames.CacheControl, HeaderNames.ETag, HeaderNames.LastModified,
        HeaderNames.AcceptRanges, HeaderNames.ContentRange, HeaderNames.ContentType, HeaderNames.ContentLength,
    ];

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        try
        {
            await file.ExecuteAsync(httpContext);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !httpContext.Response.HasStarted)
        {
            foreach (var name in FileHeaders)
            {
                httpContext.Response.Headers.Remove(name);
            }

            await HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "the file was removed while it was being fetched")
                .ExecuteAsync(httpContext);
        }
    }
}
