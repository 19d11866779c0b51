using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Portal;
using HmacPortal.Engine.Processing;
using HmacPortal.Engine.Protection;
using HmacPortal.Engine.Quotas;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Sharing;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Support;

/// <summary>
/// The Engine services behind the portal, wired by hand on a temp directory with a fake clock:
/// real SQLite, real files, no web host.
/// </summary>
public sealed class PortalWorld : IDisposable
{
    private readonly TempDirectory _dir = new();

    public PortalWorld(Action<ServerOptions>? server = null, int queueSize = 1000, long flushEvery = SessionFlushes.DefaultEvery)
    {
        Workers.UploadQueueSize = queueSize;
        Server = new ServerOptions { StoragePath = _dir.Combine("files"), DataPath = _dir.Combine("state"), MinFreeBytes = new ByteSize(0) };
        server?.Invoke(Server);
        Directory.CreateDirectory(Server.StoragePath);
        var serverMonitor = ServerMonitor = new TestOptionsMonitor<ServerOptions>(Server);
        Database = new SqliteDatabase(Options.Create(Server));
        Metadata = new SqlMetadataStore(Database);
        Files = new FileStore(serverMonitor);
        Thumbnails = new HmacPortal.Engine.Thumbnails.ThumbnailStore(new TestOptionsMonitor<ThumbnailsOptions>(ThumbnailOptions), serverMonitor, NullLogger<HmacPortal.Engine.Thumbnails.ThumbnailStore>.Instance);
        Catalog = new FileCatalog(Metadata, Files, NullLogger<FileCatalog>.Instance, thumbnails: Thumbnails);
        Shares = new ShareService(new ShareStore(Database), Metadata, Catalog, Clock, NullLogger<ShareService>.Instance);
        Invites = new InviteService(Database, Clock, NullLogger<InviteService>.Instance);
        Sessions = new SessionStore(serverMonitor, MachineBoot.Id);
        Processing = new ProcessingQueue(Options.Create(Workers), Overflow, Clock, NullLogger<ProcessingQueue>.Instance);
        Dedup = new HmacPortal.Engine.Dedup.DedupStore(new TestOptionsMonitor<DeduplicationOptions>(DedupOptions), serverMonitor, NullLogger<HmacPortal.Engine.Dedup.DedupStore>.Instance);
        Scanner = new HmacPortal.Engine.Scanning.VirusScanner(new TestOptionsMonitor<ClamAvOptions>(ClamAv), serverMonitor, Clock, NullLogger<HmacPortal.Engine.Scanning.VirusScanner>.Instance);
        Processor = new FileProcessor(
            Metadata, Dedup, Thumbnails, Scanner, new HmacPortal.Engine.Scanning.Quarantine(serverMonitor, Clock), Clock, NullLogger<FileProcessor>.Instance, new HmacPortal.Engine.Audit.AuditTrail(Database, Clock));
        Quotas = new QuotaLedger(Metadata, Sessions, Clock);
        QuotaPolicy = new QuotaPolicy(new TestOptionsMonitor<QuotasOptions>(QuotaOptions), Database);
        var uploads = new TestOptionsMonitor<UploadsOptions>(Uploads);
        var layout = new StorageLayout(serverMonitor);
        var limits = new UploadLimits(Files, layout, serverMonitor, uploads, Scanner);
        var security = new TestOptionsMonitor<SecurityOptions>(Security);
        Portal = new PortalUploads(Quotas, limits, serverMonitor, uploads, security, Clock);
        Verifier = new SignatureVerifier(security, Clock);
        var writers = new UploadWriters();
        var hashes = new RunningHashes();
        Flushes = new SessionFlushes(flushEvery);
        var transfers = new global::HmacPortal.Engine.Telemetry.TransferMonitor(Clock);
        var bans = new BanList(security, Clock, NullLogger<BanList>.Instance);
        var committer = new SessionCommitter(
            Sessions, hashes, Files, layout, new UploadRecorder(Metadata, Processing, Processor, Clock, NullLogger<UploadRecorder>.Instance), transfers,
            new HmacPortal.Engine.Validation.ContentValidator(new TestOptionsMonitor<ValidationOptions>(Validation)), NullLogger<SessionCommitter>.Instance);
        var owners = new HmacPortal.Engine.Identity.OwnerResolver(new TestOptionsMonitor<OwnersOptions>(Owners));
        OwnerLimits = new OwnerRateLimiter(new TestOptionsMonitor<RateLimitOptions>(RateLimit), Clock);
        Tus = new TusService(
            Sessions, writers, hashes, Flushes, Files, committer, limits, Verifier, bans, Quotas, QuotaPolicy, transfers, serverMonitor, uploads, Clock,
            owners, OwnerLimits, NullLogger<TusService>.Instance);
        Chunked = new ChunkedUploadService(
            Sessions, writers, committer, limits, Verifier, bans, Quotas, QuotaPolicy, transfers, uploads, Clock, owners, OwnerLimits, NullLogger<ChunkedUploadService>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public ServerOptions Server { get; }

    /// <summary>The tus uploads' flushes that run beside their transfers.</summary>
    public SessionFlushes Flushes { get; }

    public TestOptionsMonitor<ServerOptions> ServerMonitor { get; }

    public UploadsOptions Uploads { get; } = new();

    public OwnersOptions Owners { get; } = new();

    public RateLimitOptions RateLimit { get; } = new();

    public OwnerRateLimiter OwnerLimits { get; }

    public ChunkedUploadService Chunked { get; }

    public WorkersOptions Workers { get; } = new();

    public DeduplicationOptions DedupOptions { get; } = new();

    /// <summary>The post-processing of a stored file, as the workers and jobs run it.</summary>
    public FileProcessor Processor { get; }

    public HmacPortal.Engine.Dedup.DedupStore Dedup { get; }

    public ThumbnailsOptions ThumbnailOptions { get; } = new();

    public ClamAvOptions ClamAv { get; } = new();

    public ValidationOptions Validation { get; } = new();

    public HmacPortal.Engine.Scanning.VirusScanner Scanner { get; }

    public HmacPortal.Engine.Thumbnails.ThumbnailStore Thumbnails { get; }

    public RecordingOverflow Overflow { get; } = new();

    /// <summary>Stored uploads queue here; nothing consumes it unless a test does.</summary>
    public ProcessingQueue Processing { get; }

    public SecurityOptions Security { get; } = new() { Secret = "portal-world-secret-0123456789" };

    public SqliteDatabase Database { get; }

    public SqlMetadataStore Metadata { get; }

    public FileStore Files { get; }

    public FileCatalog Catalog { get; }

    public ShareService Shares { get; }

    public InviteService Invites { get; }

    public SessionStore Sessions { get; }

    public QuotaLedger Quotas { get; }

    public QuotasOptions QuotaOptions { get; } = new();

    public QuotaPolicy QuotaPolicy { get; }

    public PortalUploads Portal { get; }

    public SignatureVerifier Verifier { get; }

    public TusService Tus { get; }

    /// <summary>Puts a committed file with its record in storage, as an upload would.</summary>
    public async Task<string> StoreAsync(string path, string? owner, byte[] body, string contentType = "application/octet-stream", DateTimeOffset? expires = null)
    {
        var full = Path.Combine(Server.StoragePath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllBytesAsync(full, body);
        await Metadata.RecordAsync(new FileRecord(path, path, body.Length, contentType, null, owner, "tus", "127.0.0.1", Clock.GetUtcNow(), expires), CancellationToken.None);
        return path;
    }

    public bool OnDisk(string path) => File.Exists(Path.Combine(Server.StoragePath, path));

    /// <summary>Creates a tus upload of <paramref name="length"/> bytes named <paramref name="name"/> on a portal grant of alice's.</summary>
    public async Task<UploadId> CreateTusUploadAsync(string name, long length, string? concat = null)
    {
        var grant = await Portal.AuthorizeAsync(new PortalAccount("alice", "alice", 1L << 30, 1L << 30), name, length, null, CancellationToken.None);
        var created = await Tus.CreateAsync(new TusCreateRequest(
            length.ToString(System.Globalization.CultureInfo.InvariantCulture), null, $"filename {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name))}", grant.Token, "127.0.0.1", concat));
        if (created is not { Result: TusResult.Created, Session: { } session } || !UploadId.TryParse(session.Id, out var id))
        {
            throw new InvalidOperationException($"the upload was not created: {created.Result} {created.Detail}");
        }

        return id;
    }

    /// <summary>A tus PATCH of <paramref name="count"/> zero bytes at <paramref name="offset"/>.</summary>
    public Task<TusOutcome> PatchTusAsync(UploadId id, long offset, int count) =>
        Tus.PatchAsync(id, new TusPatchRequest(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), TusService.OffsetContentType, null, null),
            System.IO.Pipelines.PipeReader.Create(new MemoryStream(new byte[count])), CancellationToken.None);

    public void Dispose()
    {
        Chunked.Dispose();
        OwnerLimits.Dispose();
        Processor.Dispose();
        Scanner.Dispose();
        Quotas.Dispose();
        Database.Dispose();
        _dir.Dispose();
    }
}
