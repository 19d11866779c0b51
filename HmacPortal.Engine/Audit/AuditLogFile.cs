using System.Text.Json;
using HmacPortal.Engine.Configuration;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Audit;

/// <summary>
/// <c>[audit]</c>: every audit event as one JSON line (<c>at</c>, <c>action</c>, <c>actor</c>,
/// <c>client</c>, <c>subject</c>, <c>detail</c>) appended to a file that is rolled when it reaches
/// <c>max_size</c> (the full file is renamed with the time it was rolled) and whose rolled files
/// are deleted after <c>max_age</c>. Lines are written whole under one lock, so they never
/// interleave; the file is created owner-only.
/// </summary>
public sealed class AuditLogFile(IOptionsMonitor<AuditOptions> options, IOptionsMonitor<ServerOptions> server, TimeProvider clock) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private const string Stamp = "yyyyMMddHHmmssfff";
    private readonly Lock _gate = new();
    private FileStream? _stream;
    private string? _openPath;

    public bool Enabled => options.CurrentValue.Enabled;

    /// <summary>The file lines are appended to now.</summary>
    public string CurrentPath => string.IsNullOrWhiteSpace(options.CurrentValue.Path)
        ? System.IO.Path.Combine(server.CurrentValue.DataPath, "audit.jsonl")
        : options.CurrentValue.Path;

    public void Write(string action, string actor, string? client, string subject, string detail)
    {
        var o = options.CurrentValue;
        if (!o.Enabled)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var line = JsonSerializer.SerializeToUtf8Bytes(new AuditLine(now, action, actor, client, subject, detail), Json);
        lock (_gate)
        {
            var stream = Open(CurrentPath);
            if (stream.Length > 0 && stream.Length + line.Length + 1 > o.MaxSize.Bytes)
            {
                Roll(now, o.MaxAge);
                stream = Open(CurrentPath);
            }

            stream.Write(line);
            stream.WriteByte((byte)'\n');
            stream.Flush();
        }
    }

    /// <summary>The rolled files, oldest first.</summary>
    public IReadOnlyList<string> RolledFiles()
    {
        var path = CurrentPath;
        var directory = System.IO.Path.GetDirectoryName(path)!;
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, $"{System.IO.Path.GetFileNameWithoutExtension(path)}-*{System.IO.Path.GetExtension(path)}").Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private FileStream Open(string path)
    {
        if (_stream is not null && _openPath == path)
        {
            return _stream;
        }

        _stream?.Dispose();
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _openPath = path;
        return _stream;
    }

    private void Roll(DateTimeOffset now, TimeSpan maxAge)
    {
        var path = _openPath!;
        _stream!.Dispose();
        _stream = null;
        var rolled = System.IO.Path.Combine(
            System.IO.Path.GetDirectoryName(path)!,
            $"{System.IO.Path.GetFileNameWithoutExtension(path)}-{now.ToString(Stamp, System.Globalization.CultureInfo.InvariantCulture)}{System.IO.Path.GetExtension(path)}");
        for (var n = 1; File.Exists(rolled); n++)
        {
            rolled = System.IO.Path.Combine(
                System.IO.Path.GetDirectoryName(path)!,
                $"{System.IO.Path.GetFileNameWithoutExtension(path)}-{now.ToString(Stamp, System.Globalization.CultureInfo.InvariantCulture)}-{n}{System.IO.Path.GetExtension(path)}");
        }

        File.Move(path, rolled);
        // A rolled file's age is the time in its name (when it was rolled), so it follows the server's clock.
        var prefix = System.IO.Path.GetFileNameWithoutExtension(path).Length + 1;
        foreach (var old in RolledFiles())
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(old);
            if (name.Length >= prefix + Stamp.Length
                && DateTimeOffset.TryParseExact(name.AsSpan(prefix, Stamp.Length), Stamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var rolledAt)
                && rolledAt < now - maxAge)
            {
                File.Delete(old);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private sealed record AuditLine(DateTimeOffset At, string Action, string Actor, string? Client, string Subject, string Detail);
}
