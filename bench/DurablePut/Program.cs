// The floor under HmacPortal's small uploads on this machine: a bare Kestrel handler that stores
// each PUT body as a server that must not lose an acknowledged file has to (a temp file, flushed,
// renamed without overwrite, then its directory flushed), and nothing else: no signature, hash,
// database record, quota, log or metric. The benchmark runs it beside nginx and HmacPortal, so
// how much of the gap to nginx is the platform's and the flushes', and how much HmacPortal's own,
// shows in the same run. Usage: DurablePut PORT ROOT [durable|unflushed|discard]
// The two other modes take the flushes away (unflushed), then the file as well (discard: the body
// is read and dropped), to show what Kestrel itself allows on the machine.
using System.Runtime.InteropServices;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var root = Directory.CreateDirectory(args[1]).FullName;
var mode = args.Length > 2 ? args[2] : "durable";
if (mode is not ("durable" or "unflushed" or "discard"))
{
    throw new ArgumentException($"unknown mode '{mode}': durable, unflushed or discard", nameof(args));
}

var flush = mode == "durable";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(System.Net.IPAddress.Loopback, port);
    kestrel.Limits.MaxRequestBodySize = null;
});
var app = builder.Build();
app.MapPut("/{**path}", async (HttpContext context, string path) =>
{
    if (mode == "discard")
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    var target = Path.GetFullPath(Path.Combine(root, path));
    if (!target.StartsWith(root + "/", StringComparison.Ordinal))
    {
        return Results.BadRequest();
    }

    var directory = Directory.CreateDirectory(Path.GetDirectoryName(target)!).FullName;
    var temp = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");
    var named = false;
    try
    {
        await using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
        {
            await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            file.Flush(flushToDisk: flush);
        }

        File.Move(temp, target, overwrite: false);
        named = true;
    }
    catch (IOException) when (File.Exists(target))
    {
        return Results.Conflict();
    }
    finally
    {
        if (!named)
        {
            File.Delete(temp);
        }
    }

    if (flush)
    {
        Native.FlushDirectory(directory);
    }

    return Results.StatusCode(StatusCodes.Status201Created);
});
await app.RunAsync();

internal static partial class Native
{
    private const int DirectoryReadOnly = 0x10000;

    public static void FlushDirectory(string directory)
    {
        var fd = Open(directory, DirectoryReadOnly);
        if (fd >= 0)
        {
            _ = Fsync(fd);
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
