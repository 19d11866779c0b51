using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Cluster;

/// <summary>Log events of the nodes' coordination (event ids 8000-8099).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(8000, LogLevel.Warning, "Redis is unreachable ({Reason}): this node keeps its rate limits, bans, locks and reservations to itself until it is back")]
    public static partial void RedisDown(ILogger logger, string reason);

    [LoggerMessage(8001, LogLevel.Information, "Redis is reachable again: this node shares its state with the others")]
    public static partial void RedisBack(ILogger logger);
}
