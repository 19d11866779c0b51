using System.Net;
using HmacPortal.Engine.Identity;
using Microsoft.Extensions.Configuration;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// The rules a parsed configuration must meet. Start-up (through <c>IValidateOptions</c>),
/// <c>--validate</c>, hot reload and the config editor all apply these same rules.
/// </summary>
public static class ConfigRules
{
    /// <summary>Secrets shipped in the Go server's templates and guides; anyone may know them.</summary>
    public static IReadOnlyList<string> KnownDefaultSecrets { get; } =
        ["your-very-secret-hmac-key", "change-this-to-your-secret", "changeme", "secret", "your-secret-key", "hmac-file-server-is-the-win"];

    public const int MinimumSecretLength = 16;

    public static IEnumerable<ConfigProblem> Check(ServerOptions o)
    {
        if (o.EphemeralTtl <= TimeSpan.Zero)
        {
            yield return new("server", "ephemeral_ttl", "must be longer than 0s");
        }

        if (o.UnixSocket)
        {
            if (string.IsNullOrWhiteSpace(o.ListenAddress) || !o.ListenAddress.Contains('/', StringComparison.Ordinal))
            {
                yield return new("server", "listen_address", "with unixsocket = true this must be the socket's path, e.g. \"/run/hmacportal/http.sock\"");
            }
        }
        else if (!ListenEndpoint.TryParse(o.ListenAddress, o.BindIp, out _, out var error))
        {
            yield return new("server", "listen_address", error);
        }

        if (!IPAddress.TryParse(o.BindIp, out _))
        {
            yield return new("server", "bind_ip", $"'{o.BindIp}' is not an IP address");
        }

        if (string.IsNullOrWhiteSpace(o.StoragePath))
        {
            yield return new("server", "storage_path", "must not be empty");
        }

        if (string.IsNullOrWhiteSpace(o.DataPath))
        {
            yield return new("server", "data_path", "must not be empty");
        }
        else if (!string.IsNullOrWhiteSpace(o.StoragePath) && Overlaps(o.StoragePath, o.DataPath))
        {
            yield return new("server", "data_path", "must not be inside storage_path or contain it: files there would be served");
        }

        if (!o.UploadPrefix.StartsWith('/') || !o.UploadPrefix.EndsWith('/'))
        {
            yield return new("server", "upload_prefix", "must start and end with '/', e.g. \"/upload/\" or \"/\"");
        }

        if (!o.FileNaming.Equals("original", StringComparison.OrdinalIgnoreCase) && !o.FileNaming.Equals("hmac", StringComparison.OrdinalIgnoreCase))
        {
            yield return new("server", "file_naming", $"'{o.FileNaming}' is not one of \"original\", \"HMAC\"");
        }

        if (o.MaxUploadSize.Bytes <= 0)
        {
            yield return new("server", "max_upload_size", "must be larger than 0");
        }

        foreach (var proxy in o.TrustedProxies.Where(p => !Network.ClientAddress.TryParseNetwork(p, out _)))
        {
            yield return new("server", "trusted_proxies", $"'{proxy}' is not an address or a network such as \"10.0.0.0/8\"");
        }

        if (o.FileTtlEnabled && o.FileTtl <= TimeSpan.Zero)
        {
            yield return new("server", "filettl", "must be longer than 0s when filettlenabled is true");
        }

        if (o.MetricsPort.Length > 0 && o.MetricsPortNumber is null)
        {
            yield return new("server", "metricsport", $"'{o.MetricsPort}' is not a port (1-65535)");
        }
    }

    public static IEnumerable<ConfigProblem> Check(SecurityOptions o)
    {
        foreach (var problem in CheckSecret("secret", o.Secret, required: true))
        {
            yield return problem;
        }

        if (o.EnableJwt)
        {
            foreach (var problem in CheckSecret("jwtsecret", o.JwtSecret, required: true))
            {
                yield return problem;
            }
        }

        if (o.JwtAlgorithm is not ("HS256" or "HS384" or "HS512"))
        {
            yield return new("security", "jwtalgorithm", $"'{o.JwtAlgorithm}' is not one of HS256, HS384, HS512");
        }

        if (o.JwtExpiration <= TimeSpan.Zero)
        {
            yield return new("security", "jwtexpiration", "must be longer than 0s");
        }

        if (o.BanAfter > 0 && (o.BanWindow <= TimeSpan.Zero || o.BanDuration <= TimeSpan.Zero))
        {
            yield return new("security", "ban_window", "ban_window and ban_duration must be longer than 0s when ban_after is set");
        }
    }

    public static IEnumerable<ConfigProblem> Check(LoggingOptions o)
    {
        if (!LogLevels.Contains(o.Level, StringComparer.OrdinalIgnoreCase))
        {
            yield return new("logging", "level", $"'{o.Level}' is not one of {string.Join(", ", LogLevels)}");
        }

        if (o.MaxSize.Bytes < 1024)
        {
            yield return new("logging", "max_size", "must be at least 1KB");
        }
    }

    public static IEnumerable<ConfigProblem> Check(TimeoutsOptions o)
    {
        if (o.HeaderTimeout <= TimeSpan.Zero)
        {
            yield return new("timeouts", "header_timeout", "must be longer than 0s");
        }

        if (o.IdleTimeout <= TimeSpan.Zero)
        {
            yield return new("timeouts", "idletimeout", "must be longer than 0s");
        }
    }

    public static IEnumerable<ConfigProblem> Check(UploadsOptions o)
    {
        foreach (var problem in CheckExtensions("uploads", o.AllowedExtensions))
        {
            yield return problem;
        }

        if (!o.ResumablePath.StartsWith('/') || !o.ResumablePath.EndsWith('/') || o.ResumablePath == "/")
        {
            yield return new("uploads", "resumable_path", "must start and end with '/' and not be \"/\", e.g. \"/files/\"");
        }

        if (o.SessionTimeout <= TimeSpan.Zero)
        {
            yield return new("uploads", "sessiontimeout", "must be longer than 0s");
        }

        if (o.ChunkSize.Bytes < 1024 || o.ChunkSize.Bytes > int.MaxValue)
        {
            yield return new("uploads", "chunk_size", "must be between 1KB and 2GB");
        }

        if (o.MaxRetries < 0)
        {
            yield return new("uploads", "maxretries", "must be 0 (no limit) or more");
        }
    }

    public static IEnumerable<ConfigProblem> Check(DownloadsOptions o) =>
        CheckExtensions("downloads", o.AllowedExtensions);

    public static IEnumerable<ConfigProblem> Check(CorsOptions o)
    {
        foreach (var origin in o.AllowedOrigins.Where(origin => origin != "*" && !Uri.TryCreate(origin, UriKind.Absolute, out _)))
        {
            yield return new("cors", "allowed_origins", $"'{origin}' is not \"*\" or an origin such as \"https://chat.example.org\"");
        }
    }

    public static IEnumerable<ConfigProblem> Check(AdminOptions o)
    {
        if (o.PasswordHash.Length > 0 && !PasswordHash.IsWellFormed(o.PasswordHash))
        {
            yield return new("admin", "password_hash", "is not a hash made by --hash-password");
        }

        foreach (var (name, _) in o.Users.Where(u => !PasswordHash.IsWellFormed(u.Value)))
        {
            yield return new("admin.users", name, "is not a hash made by --hash-password");
        }

        if (o.ApiToken.Length is > 0 and < 32)
        {
            yield return new("admin", "api_token", "must be at least 32 characters (generate one with: openssl rand -hex 32)");
        }
    }

    public static IEnumerable<ConfigProblem> Check(QuotasOptions o)
    {
        if (o.Default.Bytes <= 0)
        {
            yield return new("quotas", "default", "must be larger than 0");
        }

        foreach (var (owner, size) in o.Custom)
        {
            if (!ByteSize.TryParse(size, out _, out var error))
            {
                yield return new("quotas.custom", owner, error);
            }
        }
    }

    public static IEnumerable<ConfigProblem> Check(RateLimitOptions o)
    {
        if (o.RequestsPerMinute is < 1 or > 1_000_000)
        {
            yield return new("rate_limit", "requests_per_minute", "must be between 1 and 1000000");
        }

        if (o.Burst is < 1 or > 1_000_000)
        {
            yield return new("rate_limit", "burst", "must be between 1 and 1000000");
        }

        foreach (var network in o.Exempt.Where(p => !Network.ClientAddress.TryParseNetwork(p, out _)))
        {
            yield return new("rate_limit", "exempt", $"'{network}' is not an address or a network such as \"10.0.0.0/8\"");
        }

        foreach (var owner in o.ExemptOwners.Where(p => p.Length == 0 || p.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            yield return new("rate_limit", "exempt_owners", $"'{owner}' is not an owner name (no spaces)");
        }
    }

    public static IEnumerable<ConfigProblem> Check(DatabaseOptions o)
    {
        if (!o.Engine.Equals(DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase) && !o.IsPostgreSql)
        {
            yield return new("database", "engine", $"'{o.Engine}' is not \"sqlite\" or \"postgresql\"");
        }
        else if (o.IsPostgreSql)
        {
            string? problem = null;
            try
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(o.ConnectionString);
                problem = string.IsNullOrWhiteSpace(builder.Host) ? "needs a Host=… with engine = \"postgresql\"" : null;
            }
            catch (ArgumentException ex)
            {
                problem = $"is not a connection string: {ex.Message}";
            }

            if (problem is not null)
            {
                yield return new("database", "connection_string", problem);
            }
        }
    }

    public static IEnumerable<ConfigProblem> Check(OwnersOptions o)
    {
        if (o.Ipv6Prefix is < 1 or > 128)
        {
            yield return new("owners", "ipv6_prefix", "must be between 1 and 128");
        }

        foreach (var entry in o.Map.Where(e => !Identity.OwnerResolver.TryParseEntry(e, out _, out _)))
        {
            yield return new("owners", "map", $"'{entry}' is not \"match => owner\" (an owner, address or network, then the owner it counts as; no spaces in either)");
        }
    }

    public static IEnumerable<ConfigProblem> Check(KeyRotationOptions o)
    {
        if (o.RotationInterval != TimeSpan.Zero && o.RotationInterval < TimeSpan.FromHours(1))
        {
            yield return new("key_rotation", "rotation_interval", "must be 0s (rotate only from the admin console) or at least 1h");
        }

        if (o.GracePeriod < TimeSpan.Zero)
        {
            yield return new("key_rotation", "grace_period", "must not be negative");
        }
    }

    /// <summary>The keyring holds secrets: it must never be where files are served from.</summary>
    public static IEnumerable<ConfigProblem> Check(KeyRotationOptions o, ServerOptions server)
    {
        var storage = Path.TrimEndingDirectorySeparator(Path.GetFullPath(server.StoragePath)) + Path.DirectorySeparatorChar;
        if (o.KeyStorage.Length > 0 && Path.GetFullPath(o.KeyStorage).StartsWith(storage, StringComparison.Ordinal))
        {
            yield return new("key_rotation", "key_storage", "must not be inside storage_path, whose files are served");
        }
    }

    public static IEnumerable<ConfigProblem> Check(JobsOptions o)
    {
        if (o.Workers is < 1 or > 64)
        {
            yield return new("jobs", "workers", "must be between 1 and 64");
        }

        foreach (var (name, schedule) in new[] { ("expiry", o.Expiry), ("sweep", o.Sweep), ("maintenance", o.Maintenance), ("disk_watch", o.DiskWatch), ("catch_up", o.CatchUp), ("dedup_collect", o.DedupCollect) })
        {
            if (!Jobs.CronSchedule.IsValid(schedule, out var error))
            {
                yield return new("jobs", name, error);
            }
        }

        if (o.Storage is not (JobsOptions.MemoryStorage or JobsOptions.PostgreSqlStorage or JobsOptions.RedisStorage))
        {
            yield return new("jobs", "storage", $"'{o.Storage}' is not \"memory\", \"postgresql\" or \"redis\"");
        }

        if (o.PollInterval < TimeSpan.FromSeconds(1) || o.PollInterval > TimeSpan.FromMinutes(5))
        {
            yield return new("jobs", "poll_interval", "must be between 1s and 5m");
        }
    }

    /// <summary>Shared job storage needs the engine it names.</summary>
    public static IEnumerable<ConfigProblem> Check(JobsOptions o, DatabaseOptions database, RedisOptions redis)
    {
        if (o.Storage == JobsOptions.PostgreSqlStorage && !database.IsPostgreSql)
        {
            yield return new("jobs", "storage", "\"postgresql\" keeps jobs in the [database] PostgreSQL: set [database] engine = \"postgresql\"");
        }

        if (o.Storage == JobsOptions.RedisStorage && !redis.RedisEnabled)
        {
            yield return new("jobs", "storage", "\"redis\" keeps jobs in Redis: set [redis] redisenabled = true");
        }
    }

    public static IEnumerable<ConfigProblem> Check(RedisOptions o)
    {
        if (o.RedisEnabled && !IsHostAndPort(o.RedisAddr))
        {
            yield return new("redis", "redisaddr", $"'{o.RedisAddr}' is not host:port");
        }

        if (o.RedisDbIndex is < 0 or > 15)
        {
            yield return new("redis", "redisdbindex", "must be between 0 and 15");
        }

        if (o.KeyPrefix.Length is 0 or > 64 || o.KeyPrefix.Any(char.IsWhiteSpace))
        {
            yield return new("redis", "key_prefix", "must be 1 to 64 characters without spaces");
        }
    }

    public static IEnumerable<ConfigProblem> Check(WorkersOptions o)
    {
        if (o.NumWorkers is < 1 or > 64)
        {
            yield return new("workers", "numworkers", "must be between 1 and 64");
        }

        if (o.UploadQueueSize is < 1 or > 100_000)
        {
            yield return new("workers", "uploadqueuesize", "must be between 1 and 100000");
        }

        if (o.MaxWorkers < o.NumWorkers || o.MaxWorkers > 64)
        {
            yield return new("workers", "max_workers", "must be at least numworkers and at most 64");
        }
    }

    public static IEnumerable<ConfigProblem> Check(DeduplicationOptions o)
    {
        if (o.MaxSize.Bytes < 0)
        {
            yield return new("deduplication", "maxsize", "must be 0 (any size) or more");
        }
    }

    public static IEnumerable<ConfigProblem> Check(ClamAvOptions o)
    {
        var socket = o.ClamAvSocket;
        var separator = socket.LastIndexOf(':');
        if (!socket.StartsWith('/') && (separator <= 0 || !int.TryParse(socket[(separator + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            yield return new("clamav", "clamavsocket", "must be an absolute Unix socket path or host:port");
        }

        if (o.NumScanWorkers is < 1 or > 64)
        {
            yield return new("clamav", "numscanworkers", "must be between 1 and 64");
        }

        foreach (var problem in CheckExtensions("clamav", o.ScanFileExtensions, "scanfileextensions"))
        {
            yield return problem;
        }

        if (o.Timeout <= TimeSpan.Zero)
        {
            yield return new("clamav", "timeout", "must be longer than 0s");
        }

        if (o.OnUnavailable is not ("accept" or "refuse"))
        {
            yield return new("clamav", "on_unavailable", "must be \"accept\" or \"refuse\"");
        }
    }

    public static IEnumerable<ConfigProblem> Check(ValidationOptions o)
    {
        foreach (var (name, patterns) in new[] { ("allowed_types", o.AllowedTypes), ("blocked_types", o.BlockedTypes) })
        {
            foreach (var pattern in patterns.Where(p => p.Split('/') is not [{ Length: > 0 } type, { Length: > 0 } subtype] || type == "*" || subtype.Contains(' ', StringComparison.Ordinal)))
            {
                yield return new("validation", name, $"'{pattern}' is not a media type such as \"image/png\" or \"image/*\"");
            }
        }
    }

    public static IEnumerable<ConfigProblem> Check(AuditOptions o)
    {
        if (o.MaxSize.Bytes < 1024)
        {
            yield return new("audit", "max_size", "must be at least 1KB");
        }

        if (o.MaxAge <= TimeSpan.Zero)
        {
            yield return new("audit", "max_age", "must be longer than 0s");
        }
    }

    public static IEnumerable<ConfigProblem> Check(ThumbnailsOptions o)
    {
        if (o.Size is < 16 or > 2048)
        {
            yield return new("thumbnails", "size", "must be between 16 and 2048 pixels");
        }

        if (o.MaxPixels < 1)
        {
            yield return new("thumbnails", "max_pixels", "must be at least 1");
        }
    }

    public static IEnumerable<ConfigProblem> Check(PortalOptions o)
    {
        if (o.UserQuota.Bytes <= 0)
        {
            yield return new("portal", "user_quota", "must be larger than 0");
        }

        foreach (var (name, hash) in o.Users.Where(u => !PasswordHash.IsWellFormed(u.Value)))
        {
            yield return new("portal.users", name, "is not a hash made by --hash-password");
        }
    }

    /// <summary>Binds every table from <paramref name="configuration"/> and applies every rule.</summary>
    public static IReadOnlyList<ConfigProblem> CheckAll(IConfiguration configuration)
    {
        var problems = new List<ConfigProblem>();
        try
        {
            problems.AddRange(Check(Bind<ServerOptions>(configuration, ServerOptions.Section)));
            problems.AddRange(Check(Bind<SecurityOptions>(configuration, SecurityOptions.Section)));
            problems.AddRange(Check(Bind<LoggingOptions>(configuration, LoggingOptions.Section)));
            problems.AddRange(Check(Bind<TimeoutsOptions>(configuration, TimeoutsOptions.Section)));
            problems.AddRange(Check(Bind<UploadsOptions>(configuration, UploadsOptions.Section)));
            problems.AddRange(Check(Bind<DownloadsOptions>(configuration, DownloadsOptions.Section)));
            problems.AddRange(Check(Bind<CorsOptions>(configuration, CorsOptions.Section)));
            problems.AddRange(Check(Bind<AdminOptions>(configuration, AdminOptions.Section)));
            problems.AddRange(Check(Bind<PortalOptions>(configuration, PortalOptions.Section)));
            problems.AddRange(Check(Bind<JobsOptions>(configuration, JobsOptions.Section)));
            problems.AddRange(Check(Bind<RateLimitOptions>(configuration, RateLimitOptions.Section)));
            problems.AddRange(Check(Bind<QuotasOptions>(configuration, QuotasOptions.Section)));
            problems.AddRange(Check(Bind<WorkersOptions>(configuration, WorkersOptions.Section)));
            problems.AddRange(Check(Bind<DeduplicationOptions>(configuration, DeduplicationOptions.Section)));
            problems.AddRange(Check(Bind<ThumbnailsOptions>(configuration, ThumbnailsOptions.Section)));
            problems.AddRange(Check(Bind<ClamAvOptions>(configuration, ClamAvOptions.Section)));
            problems.AddRange(Check(Bind<ValidationOptions>(configuration, ValidationOptions.Section)));
            problems.AddRange(Check(Bind<AuditOptions>(configuration, AuditOptions.Section)));
            problems.AddRange(Check(Bind<OwnersOptions>(configuration, OwnersOptions.Section)));
            var database = Bind<DatabaseOptions>(configuration, DatabaseOptions.Section);
            var redis = Bind<RedisOptions>(configuration, RedisOptions.Section);
            problems.AddRange(Check(database));
            problems.AddRange(Check(redis));
            problems.AddRange(Check(Bind<JobsOptions>(configuration, JobsOptions.Section), database, redis));
            var keyRotation = Bind<KeyRotationOptions>(configuration, KeyRotationOptions.Section);
            problems.AddRange(Check(keyRotation));
            problems.AddRange(Check(keyRotation, Bind<ServerOptions>(configuration, ServerOptions.Section)));
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(new ConfigProblem("config", "?", ex.Message));
        }

        return problems;
    }

    /// <summary>Turns problems into diagnostics that point at the line where each key was written.</summary>
    public static IEnumerable<ConfigDiagnostic> Locate(IEnumerable<ConfigProblem> problems, ConfigReadResult read, string source) =>
        problems.Select(p =>
        {
            var path = ConfigSchema.Find(p.Table, p.Name)?.ConfigurationPath
                ?? (ConfigSchema.NamedTables.TryGetValue(p.Table, out var named) ? $"{named.ConfigurationPath}:{p.Name}" : null);
            var (line, column) = path is not null && read.Positions.TryGetValue(path, out var at) ? at : (0, 0);
            return new ConfigDiagnostic(ConfigSeverity.Error, p.ToString(), source, line, column);
        });

    private static readonly string[] LogLevels = ["debug", "info", "warn", "warning", "error"];

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    private static IEnumerable<ConfigProblem> CheckSecret(string name, string value, bool required)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                yield return new("security", name, "is required (generate one with: openssl rand -hex 32)");
            }
        }
        else if (KnownDefaultSecrets.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            yield return new("security", name, "is a published example secret; anyone could sign uploads. Generate one with: openssl rand -hex 32");
        }
        else if (value.Length < MinimumSecretLength)
        {
            yield return new("security", name, $"is shorter than {MinimumSecretLength} characters; generate one with: openssl rand -hex 32");
        }
    }

    private static IEnumerable<ConfigProblem> CheckExtensions(string table, IEnumerable<string> extensions, string key = "allowed_extensions")
    {
        foreach (var extension in extensions.Where(e => !e.StartsWith('.') || e.Length < 2 || e.IndexOfAny(['/', '\\', '\0']) >= 0))
        {
            yield return new(table, key, $"'{extension}' is not a suffix such as \".jpg\" or \".tar.gz\"");
        }
    }

    private static bool IsHostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && !text.Any(char.IsWhiteSpace)
            && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }

    private static bool Overlaps(string a, string b)
    {
        var fa = Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)) + Path.DirectorySeparatorChar;
        var fb = Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)) + Path.DirectorySeparatorChar;
        return fa.StartsWith(fb, StringComparison.Ordinal) || fb.StartsWith(fa, StringComparison.Ordinal);
    }
}
