using HmacPortal.Endpoints.Downloads;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Downloads;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Engine.Uploads;

namespace HmacPortal.Endpoints.Uploads;

/// <summary>The XEP-0363 receiver and the download path: services and routes.</summary>
internal static class XmppUploadSetup
{
    public static IServiceCollection AddXmppUploads(this IServiceCollection services)
    {
        services.AddSingleton<Keyring>();
        services.AddSingleton<SignatureVerifier>();
        services.AddSingleton<StorageVolumeGuard>();
        services.AddSingleton<FileStore>();
        services.AddSingleton<StorageLayout>();
        services.AddSingleton<Database>(provider =>
        {
            var database = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
            return database.IsPostgreSql
                ? new PostgresDatabase(database.ConnectionString)
                : new SqliteDatabase(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>(), provider.GetRequiredService<ILogger<SqliteDatabase>>());
        });
        services.AddSingleton<HmacPortal.Engine.Audit.AuditLogFile>();
        services.AddSingleton<HmacPortal.Engine.Audit.AuditTrail>();
        services.AddSingleton<IMetadataStore, SqlMetadataStore>();
        services.AddSingleton<MetadataReconciler>();
        services.AddSingleton<FileCatalog>();
        services.AddSingleton<UploadRecorder>();
        services.AddSingleton<UploadLimits>();
        services.AddSingleton<HmacPortal.Engine.Validation.ContentValidator>();
        services.AddSingleton<HmacPortal.Engine.Protection.BanList>();
        services.AddSingleton<HmacPortal.Engine.Identity.OwnerResolver>();
        services.AddSingleton<HmacPortal.Engine.Protection.OwnerRateLimiter>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<HmacPortal.Engine.Telemetry.TransferMonitor>();
        services.AddSingleton<DownloadService>();
        services.AddSingleton<DownloadCounter>();
        services.AddHostedService<HmacPortal.Hosting.DownloadCountFlusher>();
        return services;
    }

    /// <summary>Maps PUT, GET, HEAD and OPTIONS under <c>upload_prefix</c> (a restart key) and the Go-era /download/ links.</summary>
    public static WebApplication MapXmppUploads(this WebApplication app)
    {
        var configured = app.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>()?.UploadPrefix;
        var prefix = string.IsNullOrEmpty(configured) ? new ServerOptions().UploadPrefix : configured;
        app.MapUploadEndpoints(prefix);
        app.MapDownloadEndpoints(prefix);
        return app;
    }
}
