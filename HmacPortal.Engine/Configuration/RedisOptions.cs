namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[redis]</c> table (the Go server's keys): what several nodes share through Redis.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    public bool RedisEnabled { get; set; }

    /// <summary><c>host:port</c>.</summary>
    public string RedisAddr { get; set; } = "localhost:6379";

    public string RedisPassword { get; set; } = string.Empty;

    public int RedisDbIndex { get; set; }

    /// <summary>Put before every key, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "hmacportal:";
}
