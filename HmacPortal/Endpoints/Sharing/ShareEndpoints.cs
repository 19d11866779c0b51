using System.IO.Compression;
using HmacPortal.Endpoints.Downloads;
using HmacPortal.Engine.Downloads;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Sharing;
using HmacPortal.Engine.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HmacPortal.Endpoints.Sharing;

/// <summary>
/// What a share link serves besides its page (<c>/s/{id}</c>): the password form's post, each file,
/// and all files as one zip streamed straight from storage. Every download is claimed against the
/// link's limit before its first byte and given back if it breaks off.
/// </summary>
internal static class ShareEndpoints
{
    public const string CookieName = "hmacportal.share";

    /// <summary>Where links live: a link's page is this and its id (the page itself is SharePage's route).</summary>
    public const string PathPrefix = "/s/";

    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddSingleton<ShareStore>();
        services.AddSingleton<ShareService>();
        return services;
    }

    public static IEndpointRouteBuilder MapShareEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(PathPrefix + "{id}/unlock", Unlock);
        endpoints.MapGet(PathPrefix + "{id}/files/{index:int}", FileAsync);
        endpoints.MapGet(PathPrefix + "{id}/zip", ZipAsync);
        return endpoints;
    }

    /// <summary>The page of a link; its file URLs hang below it.</summary>
    public static string PagePath(ShareId id) => PathPrefix + id.Value;

    /// <summary>Whether this browser has given the link's password (an HttpOnly cookie scoped to the link).</summary>
    public static bool IsUnlocked(HttpContext context, ShareLink link)
    {
        if (!link.HasPassword)
        {
            return true;
        }

        if (context.Request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return false;
        }

        try
        {
            return Protector(context).Unprotect(cookie) == link.Id.Value;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static IDataProtector Protector(HttpContext context) =>
        context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("HmacPortal.ShareUnlock");

    private static IResult Unlock(HttpContext context, string id, [FromForm] string? password, ShareService shares, SignInGuard guard)
    {
        if (!ShareId.TryParse(id, out var shareId) || shares.Find(shareId) is not { } link)
        {
            return NotFound();
        }

        var page = PagePath(shareId);
        var client = $"share:{context.Connection.RemoteIpAddress}";
        if (guard.IsLockedOut(client, out var remaining))
        {
            return Results.LocalRedirect($"{page}?locked={(int)Math.Ceiling(remaining.TotalMinutes)}");
        }

        if (!shares.CheckPassword(link, password, context.Connection.RemoteIpAddress?.ToString() ?? "unknown"))
        {
            guard.RecordFailure(client);
            return Results.LocalRedirect($"{page}?error=1");
        }

        guard.RecordSuccess(client);
        context.Response.Cookies.Append(CookieName, Protector(context).Protect(shareId.Value), new CookieOptions
        {
            Path = page,
            HttpOnly = true,
            SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            IsEssential = true,
        });
        return Results.LocalRedirect(page);
    }

    private static async Task<IResult> FileAsync(HttpContext context, string id, int index, bool? inline, ShareService shares, DownloadService downloads)
    {
        var (link, refusal) = Open(context, id, shares);
        if (link is null)
        {
            return refusal!;
        }

        if (index < 0 || index >= link.Files.Count || await FindAsync(downloads, link.Files[index], context.RequestAborted) is not { } found)
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "this file is no longer available");
        }

        var (record, file) = found;
        var fileName = record.Path[(record.Path.LastIndexOf('/') + 1)..];
        if (inline == true)
        {
            return link.ShowsPreviews
                ? DownloadEndpoints.SendStoredFile(context, record, file, fileName, attachment: false, framedBySite: true)
                : HttpOutcomes.Problem(StatusCodes.Status403Forbidden, "no-preview", "No preview", "links with a download limit show no previews; download the file instead");
        }

        return await CountedAsync(context, link.Id, shares, async () =>
        {
            // A limited link counts whole downloads, so it serves no ranges.
            if (link.MaxDownloads is not null)
            {
                context.Request.Headers.Range = default;
            }

            await DownloadEndpoints.SendStoredFile(context, record, file, fileName, attachment: true, framedBySite: false).ExecuteAsync(context);
            downloads.Count(record);
        });
    }

    private static async Task<IResult> ZipAsync(HttpContext context, string id, ShareService shares, DownloadService downloads)
    {
        var (link, refusal) = Open(context, id, shares);
        if (link is null)
        {
            return refusal!;
        }

        var available = new List<(FileRecord Record, FileInfo File)>();
        foreach (var path in link.Files)
        {
            if (await FindAsync(downloads, path, context.RequestAborted) is { } found)
            {
                available.Add(found);
            }
        }

        if (available.Count == 0)
        {
            return HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", "none of this link's files is available any more");
        }

        return await CountedAsync(context, link.Id, shares, async () =>
        {
            var response = context.Response;
            response.ContentType = "application/zip";
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName($"shared-{link.Id.Value[..6]}.zip");
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.CacheControl = "no-store";

            await WriteArchiveAsync(response.Body, available, context.RequestAborted);
        });
    }

    /// <summary>
    /// A zip entry cannot be dated before 1980-01-01, in whatever time zone reads it; a file recorded
    /// earlier (its time taken from an old file's) is dated a day after that.
    /// </summary>
    private static readonly DateTimeOffset ZipEarliest = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes <paramref name="files"/> as a zip into <paramref name="output"/>: stored, not
    /// compressed (uploads are mostly compressed already, and this keeps the archive as fast as the
    /// disk), entry after entry straight into the output. Each file is opened before its entry is
    /// begun, so one removed since it was found (expired, deleted) is left out and the archive
    /// stays whole.
    /// </summary>
    internal static async Task WriteArchiveAsync(Stream output, IReadOnlyList<(FileRecord Record, FileInfo File)> files, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var body = new ZipResponseStream(output);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
        {
            foreach (var (record, file) in files)
            {
                FileStream source;
                try
                {
                    source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue;
                }

                await using (source)
                {
                    var entry = zip.CreateEntry(UniqueName(names, record.Path[(record.Path.LastIndexOf('/') + 1)..]), CompressionLevel.NoCompression);
                    entry.LastWriteTime = record.Created < ZipEarliest ? ZipEarliest : record.Created;
                    await using var target = await entry.OpenAsync(cancellationToken);
                    await source.CopyToAsync(target, 1 << 16, cancellationToken);
                }

                await body.FlushAsync(cancellationToken);
            }
        }

        await body.FlushAsync(cancellationToken);
    }

    /// <summary>Runs a download under a claim on the link: counted when it finished, given back when it did not.</summary>
    private static async Task<IResult> CountedAsync(HttpContext context, ShareId id, ShareService shares, Func<Task> send)
    {
        if (!shares.TryStartDownload(id))
        {
            return Gone("this link has no downloads left");
        }

        var finished = false;
        try
        {
            await send();
            await context.Response.CompleteAsync();
            finished = !context.RequestAborted.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the download is given back below.
        }
        finally
        {
            await shares.EndDownloadAsync(id, finished);
        }

        return Results.Empty;
    }

    /// <summary>The link a file or zip request may be served from, or the answer that refuses it.</summary>
    private static (ShareLink? Link, IResult? Refusal) Open(HttpContext context, string id, ShareService shares)
    {
        if (!ShareId.TryParse(id, out var shareId) || shares.Find(shareId) is not { } link)
        {
            return (null, NotFound());
        }

        var state = shares.StateOf(link);
        if (state != ShareState.Active)
        {
            return (null, Gone(state switch
            {
                ShareState.Expired => "this link has expired",
                ShareState.Exhausted => "this link has no downloads left",
                _ => "this link was revoked by its owner",
            }));
        }

        return IsUnlocked(context, link)
            ? (link, null)
            : (null, HttpOutcomes.Problem(StatusCodes.Status403Forbidden, "password-required", "Password required", "open the link's page and give its password first"));
    }

    private static async Task<(FileRecord, FileInfo)?> FindAsync(DownloadService downloads, string path, CancellationToken cancellationToken) =>
        StoragePath.TryCreate(path, out var storagePath, out _)
        && await downloads.FindAsync(storagePath, cancellationToken) is { Result: DownloadResult.Found, Record: { } record, File: { } file }
            ? (record, file)
            : null;

    private static string UniqueName(HashSet<string> names, string name)
    {
        var candidate = name;
        for (var n = 2; !names.Add(candidate); n++)
        {
            candidate = $"{Path.GetFileNameWithoutExtension(name)} ({n}){Path.GetExtension(name)}";
        }

        return candidate;
    }

    private static IResult NotFound() => HttpOutcomes.Problem(StatusCodes.Status404NotFound, "not-found", "No such link", "there is no share link at this address");

    private static IResult Gone(string detail) => HttpOutcomes.Problem(StatusCodes.Status410Gone, "link-gone", "Link no longer works", detail);
}
