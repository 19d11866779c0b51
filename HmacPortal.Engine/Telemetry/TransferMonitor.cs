using System.Collections.Concurrent;

namespace HmacPortal.Engine.Telemetry;

/// <summary>
/// What the admin dashboard shows live: uploads in progress with their progress and speed, and
/// per-second rates of finished uploads, downloads, bytes in and out and refusals over the last
/// minute. Counting is lock-free on the transfer path; a snapshot is taken only when asked.
/// </summary>
public sealed class TransferMonitor(TimeProvider clock)
{
    private const int WindowSeconds = 60;
    private readonly ConcurrentDictionary<long, ActiveTransfer> _active = new();
    private readonly RateWindow _uploads = new(WindowSeconds);
    private readonly RateWindow _downloads = new(WindowSeconds);
    private readonly RateWindow _bytesIn = new(WindowSeconds);
    private readonly RateWindow _bytesOut = new(WindowSeconds);
    private readonly ConcurrentDictionary<int, RateWindow> _errors = new();
    private long _next;
    private long _bytesReceived;
    private long _bytesSent;

    /// <summary>Upload bytes received since start.</summary>
    public long TotalBytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Download bytes served since start.</summary>
    public long TotalBytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Registers an upload that is receiving data; dispose the result when it ends, however it ends.</summary>
    public ActiveTransfer BeginUpload(string protocol, string path, string? client, long? length, long alreadyStored = 0)
    {
        var transfer = new ActiveTransfer(this, Interlocked.Increment(ref _next), protocol, path, client ?? "-", length, alreadyStored, clock.GetUtcNow());
        _active[transfer.Id] = transfer;
        return transfer;
    }

    public void UploadStored() => _uploads.Add(Now, 1);

    public void DownloadServed(long bytes)
    {
        _downloads.Add(Now, 1);
        _bytesOut.Add(Now, bytes);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>A request answered with an error status (uploads and downloads alike).</summary>
    public void Refused(int status) => _errors.GetOrAdd(status, _ => new RateWindow(WindowSeconds)).Add(Now, 1);

    public TransferSnapshot Snapshot(int seconds = 10)
    {
        var now = Now;
        var active = _active.Values
            .Select(t => new ActiveUpload(t.Protocol, t.Path, t.Client, t.Length, t.Received + t.AlreadyStored, t.Started, t.BytesPerSecond(clock.GetUtcNow())))
            .OrderBy(t => t.Started)
            .ToList();
        return new TransferSnapshot(
            active,
            _uploads.PerSecond(now, seconds),
            _downloads.PerSecond(now, seconds),
            _bytesIn.PerSecond(now, seconds),
            _bytesOut.PerSecond(now, seconds),
            _errors.Where(e => e.Value.Total(now, WindowSeconds) > 0).ToDictionary(e => e.Key, e => e.Value.Total(now, WindowSeconds)));
    }

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    internal void Received(long bytes)
    {
        _bytesIn.Add(Now, bytes);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void End(ActiveTransfer transfer) => _active.TryRemove(transfer.Id, out _);

    /// <summary>One upload in progress. <see cref="Add"/> is called from the transfer's own loop only.</summary>
    public sealed class ActiveTransfer : IDisposable
    {
        private readonly TransferMonitor _monitor;
        private long _received;

        internal ActiveTransfer(TransferMonitor monitor, long id, string protocol, string path, string client, long? length, long alreadyStored, DateTimeOffset started)
        {
            (_monitor, Id, Protocol, Path, Client, Length, AlreadyStored, Started) = (monitor, id, protocol, path, client, length, alreadyStored, started);
        }

        internal long Id { get; }

        internal string Protocol { get; }

        internal string Path { get; }

        internal string Client { get; }

        internal long? Length { get; }

        internal long AlreadyStored { get; }

        internal DateTimeOffset Started { get; }

        internal long Received => Interlocked.Read(ref _received);

        public void Add(long bytes)
        {
            Interlocked.Add(ref _received, bytes);
            _monitor.Received(bytes);
        }

        internal double BytesPerSecond(DateTimeOffset now)
        {
            var seconds = (now - Started).TotalSeconds;
            return seconds <= 0 ? 0 : Received / seconds;
        }

        public void Dispose() => _monitor.End(this);
    }
}

public sealed record ActiveUpload(string Protocol, string Path, string Client, long? Length, long Received, DateTimeOffset Started, double BytesPerSecond)
{
    public double? Percent => Length is > 0 ? Math.Min(100, Received * 100.0 / Length.Value) : null;
}

public sealed record TransferSnapshot(
    IReadOnlyList<ActiveUpload> Active,
    double UploadsPerSecond,
    double DownloadsPerSecond,
    double BytesInPerSecond,
    double BytesOutPerSecond,
    IReadOnlyDictionary<int, long> ErrorsLastMinute);
