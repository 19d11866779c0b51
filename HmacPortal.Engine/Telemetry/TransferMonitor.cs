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
    private readonly RateWindow _minuteIn = new(HistoryMinutes);
    private readonly RateWindow _minuteOut = new(HistoryMinutes);
    private readonly ConcurrentDictionary<string, UploadTrail> _trails = new(StringComparer.Ordinal);

    /// <summary>How far back the throughput history goes, in minutes.</summary>
    public const int HistoryMinutes = 60;

    /// <summary>At most this many resumable uploads are followed (the oldest are forgotten first).</summary>
    public const int MaxTrails = 1000;

    /// <summary>An upload with no data for this long is flagged as stalled.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(30);
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
        var now = clock.GetUtcNow();
        var transfer = new ActiveTransfer(this, Interlocked.Increment(ref _next), protocol, path, client ?? "-", length, alreadyStored, now);
        _active[transfer.Id] = transfer;
        if (protocol == "tus")
        {
            Follow(path, client ?? "-", alreadyStored > 0, now);
        }

        return transfer;
    }

    public void UploadStored(string? path = null)
    {
        _uploads.Add(Now, 1);
        if (path is not null)
        {
            _trails.TryRemove(path, out _);
        }
    }

    /// <summary>Bytes in and out per minute over the last hour, oldest first (the current minute last).</summary>
    public IReadOnlyList<ThroughputMinute> History()
    {
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        return Enumerable.Range(0, HistoryMinutes).Select(i => minute - HistoryMinutes + 1 + i)
            .Select(m => new ThroughputMinute(DateTimeOffset.FromUnixTimeSeconds(m * 60), _minuteIn.Total(m, 0), _minuteOut.Total(m, 0)))
            .ToList();
    }

    /// <summary>Resumable uploads being followed: where their requests came from and how often they resumed.</summary>
    public IReadOnlyList<UploadTrail> Trails() => _trails.Values.OrderByDescending(t => t.LastSeen).ToList();

    private void Follow(string path, string client, bool resumed, DateTimeOffset now)
    {
        var trail = _trails.GetOrAdd(path, p => new UploadTrail(p, now));
        trail.Seen(client, resumed, now);
        if (_trails.Count > MaxTrails)
        {
            foreach (var oldest in _trails.Values.OrderBy(t => t.LastSeen).Take(_trails.Count - MaxTrails).ToList())
            {
                _trails.TryRemove(oldest.Path, out _);
            }
        }
    }

    public void DownloadServed(long bytes)
    {
        _downloads.Add(Now, 1);
        _bytesOut.Add(Now, bytes);
        _minuteOut.Add(Now / 60, bytes);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>A request answered with an error status (uploads and downloads alike).</summary>
    public void Refused(int status) => _errors.GetOrAdd(status, _ => new RateWindow(WindowSeconds)).Add(Now, 1);

    public TransferSnapshot Snapshot(int seconds = 10)
    {
        var now = Now;
        var active = _active.Values
            .Select(t => new ActiveUpload(t.Protocol, t.Path, t.Client, t.Length, t.Received + t.AlreadyStored, t.Started, t.BytesPerSecond(clock.GetUtcNow()), clock.GetUtcNow() - t.LastData))
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

    internal TimeProvider Clock => clock;

    internal void Received(long bytes)
    {
        _bytesIn.Add(Now, bytes);
        _minuteIn.Add(Now / 60, bytes);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void End(ActiveTransfer transfer) => _active.TryRemove(transfer.Id, out _);

    /// <summary>One upload in progress. <see cref="Add"/> is called from the transfer's own loop only.</summary>
    public sealed class ActiveTransfer : IDisposable
    {
        private readonly TransferMonitor _monitor;
        private long _received;
        private long _lastDataTicks;

        internal ActiveTransfer(TransferMonitor monitor, long id, string protocol, string path, string client, long? length, long alreadyStored, DateTimeOffset started)
        {
            (_monitor, Id, Protocol, Path, Client, Length, AlreadyStored, Started) = (monitor, id, protocol, path, client, length, alreadyStored, started);
            _lastDataTicks = started.UtcTicks;
        }

        internal DateTimeOffset LastData => new(Interlocked.Read(ref _lastDataTicks), TimeSpan.Zero);

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
            Interlocked.Exchange(ref _lastDataTicks, _monitor.Clock.GetUtcNow().UtcTicks);
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

public sealed record ActiveUpload(string Protocol, string Path, string Client, long? Length, long Received, DateTimeOffset Started, double BytesPerSecond, TimeSpan Idle)
{
    /// <summary>The node receiving it, when the view is the cluster's; null for this node.</summary>
    public string? Node { get; init; }

    public bool Stalled => Idle >= TransferMonitor.StallAfter;

    public double? Percent => Length is > 0 ? Math.Min(100, Received * 100.0 / Length.Value) : null;
}

public sealed record TransferSnapshot(
    IReadOnlyList<ActiveUpload> Active,
    double UploadsPerSecond,
    double DownloadsPerSecond,
    double BytesInPerSecond,
    double BytesOutPerSecond,
    IReadOnlyDictionary<int, long> ErrorsLastMinute);

public sealed record ThroughputMinute(DateTimeOffset Start, long BytesIn, long BytesOut);

/// <summary>One resumable upload's requests: the addresses they came from (a change means the client moved networks) and its resumes.</summary>
public sealed class UploadTrail(string path, DateTimeOffset firstSeen)
{
    private const int MaxAddresses = 8;
    private readonly List<string> _addresses = [];
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public DateTimeOffset FirstSeen { get; } = firstSeen;

    public DateTimeOffset LastSeen { get; private set; } = firstSeen;

    /// <summary>Requests that continued from a non-zero offset.</summary>
    public int Resumes { get; private set; }

    /// <summary>How often the client's address changed from one request to the next.</summary>
    public int AddressChanges { get; private set; }

    public IReadOnlyList<string> Addresses
    {
        get
        {
            lock (_gate)
            {
                return [.. _addresses];
            }
        }
    }

    internal void Seen(string client, bool resumed, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_addresses.Count > 0 && _addresses[^1] != client)
            {
                AddressChanges++;
            }

            if (_addresses.Count == 0 || _addresses[^1] != client)
            {
                _addresses.Add(client);
                if (_addresses.Count > MaxAddresses)
                {
                    _addresses.RemoveAt(0);
                }
            }

            Resumes += resumed ? 1 : 0;
            LastSeen = now;
        }
    }
}
