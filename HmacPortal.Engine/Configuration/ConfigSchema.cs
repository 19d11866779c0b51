namespace HmacPortal.Engine.Configuration;

/// <summary>
/// Every key HmacPortal understands, the Go server's misspellings of them, and the Go server's
/// keys whose feature HmacPortal does not have. The reader, <c>--genconfig</c> and the validator
/// all work from this one table.
/// </summary>
public static class ConfigSchema
{
    private const string NotInThisVersion = "this version of HmacPortal has no such feature yet, so it has no effect";

    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("server", "listen_address", "ListenAddress", ConfigValueKind.Text, "8080",
            "Port to listen on (\"8080\"), or host:port. With unixsocket = true, the path of the Unix socket.", RestartRequired: true),
        new("server", "bind_ip", "BindIp", ConfigValueKind.Text, "127.0.0.1",
            "Address to listen on when listen_address is a bare port. \"0.0.0.0\" or \"::\" listens on every interface.", RestartRequired: true),
        new("server", "unixsocket", "UnixSocket", ConfigValueKind.Boolean, "false",
            "Listen on the Unix socket named by listen_address instead of TCP.", RestartRequired: true),
        new("server", "storage_path", "StoragePath", ConfigValueKind.Text, "./data/files",
            "Directory that holds the uploaded files. Only committed uploads live here.", RestartRequired: true),
        new("server", "data_path", "DataPath", ConfigValueKind.Text, "./data/state",
            "Directory for the metadata database, temporary and session files; kept outside storage_path so it is never served.", RestartRequired: true),
        new("server", "upload_prefix", "UploadPrefix", ConfigValueKind.Text, "/upload/",
            "URL path under which XEP-0363 PUT and GET URLs live. \"/\" serves from the host root as the Go server did.", RestartRequired: true),
        new("server", "max_upload_size", "MaxUploadSize", ConfigValueKind.Size, "10GB",
            "Largest accepted upload; larger ones get 413 before any body is read."),
        new("server", "min_free_bytes", "MinFreeBytes", ConfigValueKind.Size, "100MB",
            "Free space that must remain on the storage volume after an upload; otherwise 507."),
        new("server", "pidfilepath", "PidFilePath", ConfigValueKind.Text, "",
            "When set, the process id is written here at start (atomically) and removed at exit.", RestartRequired: true),
        new("server", "file_naming", "FileNaming", ConfigValueKind.Text, "original",
            "\"original\" stores under the signed path; \"HMAC\" stores under a name derived from it (the GET URL still works)."),
        new("server", "trusted_proxies", "TrustedProxies", ConfigValueKind.TextList, "",
            "Reverse proxies (addresses or CIDR networks, e.g. [\"127.0.0.1\", \"::1\"]) whose X-Forwarded-For / X-Real-IP name the client. Headers from anyone else are ignored."),
        new("server", "metricsenabled", "MetricsEnabled", ConfigValueKind.Boolean, "false",
            "Serve Prometheus metrics at /metrics (the Go server's metric names, plus HTTP requests by route and status).", RestartRequired: true),
        new("server", "metricsport", "MetricsPort", ConfigValueKind.Text, "",
            "Serve /metrics only on this port of bind_ip, a listener of its own; empty serves it on the main listener.", RestartRequired: true),
        new("server", "metrics_token", "MetricsToken", ConfigValueKind.Secret, "",
            "When set, /metrics requires Authorization: Bearer <this token>."),
        new("server", "filettlenabled", "FileTtlEnabled", ConfigValueKind.Boolean, "false",
            "Delete every file filettl after its upload (files with their own expiry, from a JWT 'expires', keep theirs)."),
        new("server", "filettl", "FileTtl", ConfigValueKind.Duration, "168h",
            "How long files are kept when filettlenabled is true."),
        new("security", "secret", "Secret", ConfigValueKind.Secret, "",
            "Shared HMAC secret, the same as the XMPP server's (Prosody http_upload_external_secret, ejabberd external_secret). At least 16 characters."),
        new("security", "enablejwt", "EnableJwt", ConfigValueKind.Boolean, "false",
            "Accept PUTs authorised by an HS256/384/512 JWT in the Authorization header (Prosody mod_http_file_share style)."),
        new("security", "jwtsecret", "JwtSecret", ConfigValueKind.Secret, "",
            "Secret for JWT-authorised uploads. At least 16 characters when enablejwt is true."),
        new("security", "jwtalgorithm", "JwtAlgorithm", ConfigValueKind.Text, "HS256",
            "JWT algorithm: HS256, HS384 or HS512. Tokens signed with any other algorithm are refused."),
        new("security", "jwtexpiration", "JwtExpiration", ConfigValueKind.Duration, "5m",
            "Longest upload window a JWT may grant (exp - iat); tokens granting more are refused."),
        new("security", "v3_grace", "V3Grace", ConfigValueKind.Duration, "5m",
            "How long after its 'expires' time a Go-style v3 URL is still accepted (clock skew allowance)."),
        new("security", "ban_after", "BanAfter", ConfigValueKind.WholeNumber, "10",
            "Ban a client address after this many signature failures within ban_window (403 before any work). 0 turns banning off."),
        new("security", "ban_window", "BanWindow", ConfigValueKind.Duration, "10m",
            "The window in which ban_after failures lead to a ban."),
        new("security", "ban_duration", "BanDuration", ConfigValueKind.Duration, "1h",
            "How long a ban lasts. Bans are listed and can be lifted in the admin console."),
        new("logging", "level", "Level", ConfigValueKind.Text, "info",
            "Minimum level: debug, info, warn or error."),
        new("logging", "file", "File", ConfigValueKind.Text, "",
            "Log file path; empty logs to the console only. Rolled when it reaches max_size.", RestartRequired: true),
        new("logging", "max_size", "MaxSize", ConfigValueKind.Megabytes, "100MB",
            "Size at which the log file is rolled (a size, or a number of megabytes as the Go server wrote it).", RestartRequired: true),
        new("logging", "max_backups", "MaxBackups", ConfigValueKind.WholeNumber, "7",
            "How many rolled log files are kept.", RestartRequired: true),
        new("logging", "max_age", "MaxAge", ConfigValueKind.Days, "30",
            "Rolled log files older than this are deleted (days, or a duration such as 2w).", RestartRequired: true),
        new("timeouts", "header_timeout", "HeaderTimeout", ConfigValueKind.Duration, "30s",
            "Time a client has to send its request headers.", RestartRequired: true),
        new("timeouts", "idletimeout", "IdleTimeout", ConfigValueKind.Duration, "2m",
            "Keep-alive connections idle longer than this are closed.", RestartRequired: true),
        new("timeouts", "min_request_rate", "MinRequestRate", ConfigValueKind.Size, "1KB",
            "Slowest accepted upload rate in bytes per second (after a 10 s grace); slower clients are cut off.", RestartRequired: true),
        new("timeouts", "shutdown", "Shutdown", ConfigValueKind.Duration, "30s",
            "On SIGTERM/SIGINT, how long in-flight requests may run before the process stops.", RestartRequired: true),
        new("uploads", "allowed_extensions", "AllowedExtensions", ConfigValueKind.TextList, "",
            "File name suffixes accepted for upload, e.g. [\".jpg\", \".tar.gz\"]. Empty accepts any."),
        new("uploads", "resumable_uploads_enabled", "ResumableUploadsEnabled", ConfigValueKind.Boolean, "true",
            "Accept tus 1.0 resumable uploads under resumable_path (each needs a JWT grant unless anonymous_resumable is on)."),
        new("uploads", "resumable_path", "ResumablePath", ConfigValueKind.Text, "/files/",
            "URL path of the tus endpoint.", RestartRequired: true),
        new("uploads", "anonymous_resumable", "AnonymousResumable", ConfigValueKind.Boolean, "false",
            "Let anyone start a resumable upload without a grant (files land under <random>/<name>)."),
        new("uploads", "sessiontimeout", "SessionTimeout", ConfigValueKind.Duration, "24h",
            "An unfinished resumable upload expires this long after its last write (Upload-Expires) and is then removed."),
        new("uploads", "chunked_uploads_enabled", "ChunkedUploadsEnabled", ConfigValueKind.Boolean, "true",
            "Accept the Go server's chunked API (POST/PUT /chunked-upload, GET /upload-status); each upload is signed once, when its session is created."),
        new("uploads", "chunk_size", "ChunkSize", ConfigValueKind.Size, "10MB",
            "Size of every chunk but the last in the chunked API (told to the client when its session is created)."),
        new("uploads", "maxretries", "MaxRetries", ConfigValueKind.WholeNumber, "5",
            "How often one chunk of the chunked API may fail (cut off, or the wrong length) before its upload is abandoned; 0 allows any number."),
        new("downloads", "allowed_extensions", "AllowedExtensions", ConfigValueKind.TextList, "",
            "File name suffixes served for download. Empty serves any."),
        new("cors", "allowed_origins", "AllowedOrigins", ConfigValueKind.TextList, "",
            "Origins allowed to PUT/GET from a browser (Converse.js, Movim), e.g. [\"https://chat.example.org\"]. Empty or \"*\" allows any."),
        new("cors", "max_age", "MaxAge", ConfigValueKind.Duration, "1d",
            "How long a browser may cache a CORS preflight answer."),
        new("admin", "password_hash", "PasswordHash", ConfigValueKind.Secret, "",
            "Hash of the admin password (make one with --hash-password). Empty disables admin sign-in."),
        new("admin", "api_token", "ApiToken", ConfigValueKind.Secret, "",
            "When set (at least 32 characters), scripts may call the admin JSON API under /admin/api/ with Authorization: Bearer <this token>. Empty: only a signed-in admin may."),
        new("quotas", "enabled", "Enabled", ConfigValueKind.Boolean, "false",
            "Limit what each owner may store (XEP-0363 uploads whose owner is known: the JWT 'sub' or ejabberd's user directory; resumable uploads with a grant). Portal users always have user_quota."),
        new("quotas", "default", "Default", ConfigValueKind.Size, "1GB",
            "What each owner may store unless [quotas.custom] or the admin console says otherwise."),
        new("quotas", "global", "Global", ConfigValueKind.Size, "0B",
            "What all files together may take; 0B for no limit beyond free space. Over it, uploads get 507."),
        new("rate_limit", "enabled", "Enabled", ConfigValueKind.Boolean, "false",
            "Limit how fast one client address may upload (XEP-0363 PUT and resumable requests); too fast gets 429 with Retry-After."),
        new("rate_limit", "requests_per_minute", "RequestsPerMinute", ConfigValueKind.WholeNumber, "120",
            "Upload requests per minute each client address may make, on average."),
        new("rate_limit", "burst", "Burst", ConfigValueKind.WholeNumber, "20",
            "Upload requests a client address may make at once before the per-minute rate applies."),
        new("rate_limit", "exempt", "Exempt", ConfigValueKind.TextList, "",
            "Client addresses or networks (CIDR) never limited, e.g. [\"10.0.0.0/8\"]."),
        new("jobs", "workers", "Workers", ConfigValueKind.WholeNumber, "2",
            "Background job workers (Hangfire). Jobs and their history are at /hangfire for admins.", RestartRequired: true),
        new("jobs", "expiry", "Expiry", ConfigValueKind.Text, "*/5 * * * *",
            "When expired files are deleted (a cron schedule in UTC): files past their expiry or filettl, with their records and empty directories."),
        new("jobs", "sweep", "Sweep", ConfigValueKind.Text, "*/15 * * * *",
            "When leftovers are removed: resumable uploads expired for a day and temp files of writes idle for an hour."),
        new("jobs", "maintenance", "Maintenance", ConfigValueKind.Text, "30 3 * * *",
            "When the metadata database is checked and optimised, and records whose file was removed by hand are dropped."),
        new("jobs", "disk_watch", "DiskWatch", ConfigValueKind.Text, "* * * * *",
            "When free space is checked against min_free_bytes; crossing it is logged once each way and shown on the admin dashboard."),
        new("workers", "numworkers", "NumWorkers", ConfigValueKind.WholeNumber, "2",
            "Workers that post-process each stored upload (deduplication, thumbnails). With autoadjustworkers, the fewest there are."),
        new("workers", "uploadqueuesize", "UploadQueueSize", ConfigValueKind.WholeNumber, "100",
            "Stored uploads that may wait for post-processing. When it is full, uploads still succeed and their processing is handed to the job server.", RestartRequired: true),
        new("workers", "autoadjustworkers", "AutoAdjustWorkers", ConfigValueKind.Boolean, "false",
            "Add workers (up to max_workers) while the queue grows and retire them when it has been empty for a while."),
        new("workers", "max_workers", "MaxWorkers", ConfigValueKind.WholeNumber, "8",
            "The most post-processing workers autoadjustworkers may run."),
        new("deduplication", "enabled", "Enabled", ConfigValueKind.Boolean, "false",
            "Store identical content once: a file whose SHA-256 is already stored becomes a hard link to it. A delete frees the bytes only when the last file with them goes."),
        new("deduplication", "directory", "Directory", ConfigValueKind.Text, "",
            "Where the content store lives (on the same file system as storage_path, or nothing is linked); empty keeps it inside storage_path, never served.", RestartRequired: true),
        new("deduplication", "maxsize", "MaxSize", ConfigValueKind.Size, "0",
            "Files larger than this are not deduplicated; 0 means any size."),
        new("thumbnails", "enabled", "Enabled", ConfigValueKind.Boolean, "true",
            "Make a JPEG thumbnail of each uploaded image (JPEG, PNG, GIF, WebP, BMP), served at the file's URL with ?thumbnail=true (XEP-0385)."),
        new("thumbnails", "size", "Size", ConfigValueKind.WholeNumber, "320",
            "The longest side of a thumbnail, in pixels."),
        new("thumbnails", "max_pixels", "MaxPixels", ConfigValueKind.WholeNumber, "50000000",
            "Images with more pixels than this get no thumbnail: their size is read from the header before anything is decoded (a guard against decompression bombs)."),
        new("jobs", "catch_up", "CatchUp", ConfigValueKind.Text, "*/5 * * * *",
            "When files whose post-processing is still owed (left by a stop or crash, or failed) are processed."),
        new("jobs", "dedup_collect", "DedupCollect", ConfigValueKind.Text, "15 4 * * *",
            "When content no stored file uses any more is removed from the deduplication store, freeing its bytes."),
        new("portal", "enabled", "Enabled", ConfigValueKind.Boolean, "true",
            "Serve the browser upload portal at /portal: sign-in, drag-and-drop resumable uploads, My files and share links."),
        new("portal", "anonymous_upload", "AnonymousUpload", ConfigValueKind.Boolean, "false",
            "Let visitors who are not signed in upload from the portal. Together they share one user_quota."),
        new("portal", "user_quota", "UserQuota", ConfigValueKind.Size, "10GB",
            "Storage each portal user may hold (uploaded files plus unfinished uploads). Invites carry their own quota."),
    ];

    /// <summary>
    /// Tables whose keys are names the operator chooses, each mapped to a string value, e.g.
    /// <c>[portal.users]</c> with <c>alice = "&lt;hash from --hash-password&gt;"</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, NamedValuesTable> NamedTables { get; } = new Dictionary<string, NamedValuesTable>
    {
        ["quotas.custom"] = new("quotas.custom", "Quotas:Custom", "\"alice@example.org\"", "10GB",
            "Quotas for particular owners: the owner (an XMPP address, a JWT 'sub', a portal user name) = a size. An XMPP address also matches ejabberd's directory for it (the SHA-1 of the address).",
            NamesAreAddresses: true),
        ["admin.users"] = new("admin.users", "Admin:Users", "carol", "<hash made by --hash-password>",
            "More admins, each signing in with a name and their own password: the name = the hash of their password made by --hash-password."),
        ["portal.users"] = new("portal.users", "Portal:Users", "alice", "<hash made by --hash-password>",
            "Portal users: one line per user, the user name (letters, digits, '.', '_', '-') = the hash of their password made by --hash-password."),
    };

    /// <summary>The Go server's misspellings, mapped to the key they mean.</summary>
    public static IReadOnlyDictionary<(string Table, string Name), (string Table, string Name)> Aliases { get; } =
        new Dictionary<(string, string), (string, string)>
        {
            [("server", "listenport")] = ("server", "listen_address"),
            [("server", "storagepath")] = ("server", "storage_path"),
            [("server", "maxfilesize")] = ("server", "max_upload_size"),
            [("server", "minfreebytes")] = ("server", "min_free_bytes"),
            [("server", "pid_file")] = ("server", "pidfilepath"),
            [("server", "metrics_enabled")] = ("server", "metricsenabled"),
            [("server", "metrics_port")] = ("server", "metricsport"),
            [("server", "logfile")] = ("logging", "file"),
            [("logging", "logfile")] = ("logging", "file"),
            [("uploads", "allowedextensions")] = ("uploads", "allowed_extensions"),
            [("uploads", "chunkeduploadsenabled")] = ("uploads", "chunked_uploads_enabled"),
            [("uploads", "chunksize")] = ("uploads", "chunk_size"),
            [("uploads", "maxfilesize")] = ("server", "max_upload_size"),
            [("downloads", "allowedextensions")] = ("downloads", "allowed_extensions"),
            [("downloads", "chunksize")] = ("downloads", "chunk_size"),
            [("clamav", "enabled")] = ("clamav", "clamavenabled"),
            [("redis", "enabled")] = ("redis", "redisenabled"),
            [("redis", "address")] = ("redis", "redisaddr"),
            [("redis", "db")] = ("redis", "redisdbindex"),
        };

    /// <summary>Go server keys that HmacPortal accepts but that do nothing here, with what to use instead.</summary>
    public static IReadOnlyDictionary<(string Table, string Name), string> GoOnlyKeys { get; } =
        new Dictionary<(string, string), string>
        {
            [("server", "deduplication_enabled")] = "deduplication is switched on by [deduplication] enabled",
            [("server", "cleanup_interval")] = "cleanup runs on the schedules of [jobs] expiry and sweep (cron)",
            [("server", "networkevents")] = NotInThisVersion,
            [("server", "clean_upon_exit")] = "HmacPortal never deletes stored files when it stops",
            [("logging", "compress")] = "rolled log files are kept uncompressed; use logrotate or max_backups/max_age",
            [("timeouts", "readtimeout")] = "uploads are bounded by [timeouts] header_timeout and min_request_rate instead of one total time",
            [("timeouts", "writetimeout")] = "downloads of any size are allowed to finish; slow readers are cut off by Kestrel's minimum response rate",
            [("downloads", "chunked_downloads_enabled")] = "downloads always support HTTP Range requests",
            [("downloads", "chunk_size")] = "downloads are streamed with pooled buffers; there is nothing to size",
            [("admin", "enabled")] = "the admin console is always on and needs [admin] password_hash to sign in",
            [("admin", "bind")] = "the admin console is served on the main listener under /admin",
            [("admin", "path")] = "the admin console is served under /admin",
        };

    /// <summary>Go server tables with no counterpart here: every key in them is accepted with a warning.</summary>
    public static IReadOnlyDictionary<string, string> GoOnlyTables { get; } = new Dictionary<string, string>
    {
        ["clamav"] = NotInThisVersion,
        ["redis"] = NotInThisVersion,
        ["network_resilience"] = NotInThisVersion,
        ["client_network_support"] = NotInThisVersion,
        ["audit"] = NotInThisVersion,
        ["validation"] = NotInThisVersion,
        ["admin.auth"] = "admin sign-in uses [admin] password_hash and [admin.users]",
        ["key_rotation"] = NotInThisVersion,
        ["metadata"] = "the metadata store is always on, in [server] data_path",
        ["iso"] = "HmacPortal stores files directly in storage_path; there is no ISO container mode",
        ["versioning"] = "a stored file is never replaced, so there are no versions to keep",
        ["build"] = "the version is built into the binary (--version)",
        ["file"] = "HmacPortal has no per-file settings table",
    };

    /// <summary>Tables HmacPortal reads, in the order <c>--genconfig</c> writes them.</summary>
    public static IReadOnlyList<string> Tables { get; } =
        Keys.Select(k => k.Table).Distinct().ToArray();

    public static string SectionName(string table) => string.Concat(
        table.Split('_', '.').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    public static ConfigKey? Find(string table, string name) =>
        Keys.FirstOrDefault(k => k.Table == table && k.Name == name);
}
