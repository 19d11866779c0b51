using System.Collections.Concurrent;
using System.Text.Json;
using HmacPortal.Engine.Telemetry;
using StackExchange.Redis;

namespace HmacPortal.Engine.Cluster;

/// <summary>
/// The live view of the whole cluster for the admin console: every second each node publishes
/// its transfers (uploads in progress, rates, errors) on a Redis channel, and each node keeps the
/// latest view of every other. A node not heard from for <see cref="Silence"/> drops out of the
/// view. Without Redis (or while it is away) the view is this node's alone.
/// </summary>
public sealed class ClusterView(RedisConnection redis, TransferMonitor transfers)
{
    /// <summary>How long a node's last view counts.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, (TransferSnapshot View, long Heard)> _others = new(StringComparer.Ordinal);

    /// <summary>This node's view merged with the others' it has heard from lately.</summary>
    public ClusterSnapshot Snapshot()
    {
        var own = transfers.Snapshot();
        var now = Environment.TickCount64;
        var others = _others.Where(o => now - o.Value.Heard < Silence.TotalMilliseconds).ToList();
        if (others.Count == 0)
        {
            return new ClusterSnapshot(own, 1);
        }

        var views = others.Select(o => (Node: o.Key, o.Value.View)).ToList();
        var all = views.Select(v => v.View).Append(own).ToList();
        var errors = all.SelectMany(v => v.ErrorsLastMinute).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var active = own.Active.Concat(views.SelectMany(v => v.View.Active.Select(a => a with { Node = v.Node }))).OrderBy(a => a.Started).ToList();
        return new ClusterSnapshot(
            new TransferSnapshot(active, all.Sum(v => v.UploadsPerSecond), all.Sum(v => v.DownloadsPerSecond), all.Sum(v => v.BytesInPerSecond), all.Sum(v => v.BytesOutPerSecond), errors),
            all.Count);
    }

    /// <summary>Publishes this node's view every second and listens to the others', until <paramref name="stoppingToken"/>.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!redis.Enabled)
        {
            return;
        }

        var channel = redis.Channel("live");
        var subscriber = redis.Multiplexer.GetSubscriber();
        // Registered at once and sent when Redis can take it (also after a reconnect).
        subscriber.Subscribe(channel, (_, message) => Heard(message), CommandFlags.FireAndForget);
        try
        {
            // Wall time, like the silence it is measured against.
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!redis.Shared)
                {
                    continue;
                }

                try
                {
                    var view = JsonSerializer.Serialize(new Published(redis.NodeId, transfers.Snapshot()), Json);
                    await subscriber.PublishAsync(channel, view, CommandFlags.FireAndForget).ConfigureAwait(false);
                }
                catch (RedisException ex)
                {
                    redis.Failed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            subscriber.Unsubscribe(channel, null, CommandFlags.FireAndForget);
        }
    }

    private void Heard(RedisValue message)
    {
        try
        {
            if (JsonSerializer.Deserialize<Published>(message.ToString(), Json) is { } published && published.Node != redis.NodeId)
            {
                _others[published.Node] = (published.View, Environment.TickCount64);
            }
        }
        catch (JsonException)
        {
            // Not a view this version understands (another version's node): it is left out.
        }
    }

    private sealed record Published(string Node, TransferSnapshot View);
}

/// <summary>The cluster's transfers, and how many nodes they come from.</summary>
public sealed record ClusterSnapshot(TransferSnapshot Transfers, int Nodes);
