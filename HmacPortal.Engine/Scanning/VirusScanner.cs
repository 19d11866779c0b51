using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace HmacPortal.Engine.Scanning;

/// <summary>
/// Scans stored files with clamd, at most <c>numscanworkers</c> at once, each within <c>timeout</c>,
/// behind a circuit breaker: when half of at least three scans in 30 seconds fail, clamd is left
/// alone for 30 seconds (and, with <c>on_unavailable = "refuse"</c>, uploads are refused with
/// 503 meanwhile). A file that could not be scanned is not given a verdict, so it is scanned
/// again later.
/// </summary>
public sealed class VirusScanner : IDisposable
{
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(30);

    private readonly IOptionsMonitor<ClamAvOptions> _options;
    private readonly IOptionsMonitor<ServerOptions> _server;
    private readonly ILogger<VirusScanner> _logger;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _clock;
    private long _brokenUntilTicks;
    private long _scanned;
    private long _infected;

    public VirusScanner(IOptionsMonitor<ClamAvOptions> options, IOptionsMonitor<ServerOptions> server, TimeProvider clock, ILogger<VirusScanner> logger)
    {
        _options = options;
        _server = server;
        _logger = logger;
        _clock = clock;
        _slots = new SemaphoreSlim(Math.Max(1, options.CurrentValue.NumScanWorkers));
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = BreakDuration,
                ShouldHandle = new PredicateBuilder().Handle<IOException>().Handle<System.Net.Sockets.SocketException>().Handle<TimeoutRejectedException>(),
                StateProvider = _breaker,
                OnOpened = args =>
                {
                    Interlocked.Exchange(ref _brokenUntilTicks, (clock.GetUtcNow() + args.BreakDuration).UtcTicks);
                    ScanLog.BreakerOpened(_logger, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    ScanLog.BreakerClosed(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => ValueTask.FromResult(_options.CurrentValue.Timeout) })
            .Build();
    }

    public bool Enabled => _options.CurrentValue.ClamAvEnabled;

    /// <summary>
    /// Whether clamd is being asked: false while the breaker is open after failures, true again once
    /// its break is over (the next scan then tests clamd).
    /// </summary>
    public bool Available => _breaker.CircuitState switch
    {
        CircuitState.Isolated => false,
        CircuitState.Open => _clock.GetUtcNow().UtcTicks >= Interlocked.Read(ref _brokenUntilTicks),
        _ => true,
    };

    /// <summary>Whether uploads must be refused now: scanning is on, clamd is unavailable, and the policy says refuse.</summary>
    public bool RefusesUploads => Enabled && !Available && _options.CurrentValue.OnUnavailable == "refuse";

    public long Scanned => Interlocked.Read(ref _scanned);

    public long Infected => Interlocked.Read(ref _infected);

    /// <summary>Scans the stored file at <paramref name="stored"/>.</summary>
    public async Task<ScanVerdict> ScanAsync(StoragePath stored, long size, CancellationToken cancellationToken)
    {
        var o = _options.CurrentValue;
        if (!o.ClamAvEnabled)
        {
            return new ScanVerdict(ScanResult.Skipped, "scanning is off");
        }

        if (o.ScanFileExtensions.Count > 0 && !o.ScanFileExtensions.Any(s => stored.FileName.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return new ScanVerdict(ScanResult.Skipped, "its suffix is not in scanfileextensions");
        }

        if (size > o.MaxScanSize.Bytes)
        {
            return new ScanVerdict(ScanResult.Skipped, $"larger than maxscansize ({o.MaxScanSize.ToDisplayString()})");
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var verdict = await _pipeline.ExecuteAsync(
                async token =>
                {
                    await using var content = new FileStream(stored.ToFullPath(_server.CurrentValue.StoragePath), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                    return await ClamdClient.ScanAsync(o.ClamAvSocket, content, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _scanned);
            if (verdict.Result == ScanResult.Infected)
            {
                Interlocked.Increment(ref _infected);
            }

            return verdict;
        }
        catch (Exception ex) when (ex is BrokenCircuitException or TimeoutRejectedException or System.Net.Sockets.SocketException
            || (ex is IOException && ex is not FileNotFoundException and not DirectoryNotFoundException))
        {
            ScanLog.Unavailable(_logger, stored.Value, ex);
            return new ScanVerdict(ScanResult.Unavailable, ex is BrokenCircuitException ? "clamd is unavailable" : "clamd did not answer");
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
