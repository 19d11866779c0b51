using HmacPortal.Components;
using HmacPortal.Endpoints.Accounts;
using HmacPortal.Endpoints.Admin;
using HmacPortal.Endpoints.Health;
using HmacPortal.Endpoints.Metrics;
using HmacPortal.Endpoints.Resumable;
using HmacPortal.Endpoints.Sharing;
using HmacPortal.Endpoints.Uploads;
using HmacPortal.Hosting;
using HmacPortal.Engine.Configuration;

var cli = CommandLine.Parse(args);
if (cli.Verb != CliVerb.Serve || cli.Error is not null)
{
    return CliCommands.Run(cli, Console.In, Console.Out, Console.Error);
}

HmacPortal.Engine.Health.NativeHeap.LimitArenas();
var configPath = Path.GetFullPath(cli.ConfigPath);
var adminPassword = FirstRun.CreateIfMissing(configPath);
var problems = ConfigCheck.Run(configPath).Where(d => d.IsError).ToList();
if (problems.Count > 0)
{
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }

    Console.Error.WriteLine($"{configPath}: {problems.Count} error(s); not starting");
    return 1;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. cli.HostArgs],
    ContentRootPath = cli.HostArgs.Any(a => a.StartsWith("--contentRoot=", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
});
builder.WebHost.UseStaticWebAssets();
builder.AddTomlConfiguration(new StartupFacts(configPath, adminPassword, Console.Out), cli.HostArgs);
builder.AddHmacPortalLogging();
var metrics = new ServerMetrics();
builder.Services.AddSingleton(metrics);
builder.AddHmacPortalKestrel(metrics);
builder.AddHmacPortalDataProtection(configPath);
builder.Services.AddHmacPortalOptions(builder.Configuration, configPath);
builder.Services.AddHmacPortalHost();
builder.Services.AddHmacPortalCluster();
builder.Services.AddHmacPortalHealth();
builder.Services.AddXmppUploads();
builder.Services.AddResumableUploads();
builder.Services.AddHmacPortalProcessing();
builder.Services.AddAccounts();
builder.Services.AddSharing();
builder.Services.AddAdminApi();
builder.Services.AddHmacPortalJobs(builder.Configuration);
builder.Services.AddHmacPortalRateLimits();
builder.Services.AddHmacPortalUi();

await using var app = builder.Build();
var resumablePath = app.Configuration.GetSection(UploadsOptions.Section).Get<UploadsOptions>()?.ResumablePath ?? new UploadsOptions().ResumablePath;

app.UseHmacPortalErrorPage();
app.UseForwardedClients();
app.UseHmacPortalRequestLogging(resumablePath);
app.UseTusMethodOverride(resumablePath);
app.UseRouting();
app.UseRateLimiter();
app.UseServerMetrics(metrics);
app.UseAuthentication();
app.UseAuthorization();
app.UseHmacPortalUi();
app.MapHealthEndpoints();
app.MapXmppUploads();
app.MapTusEndpoints(resumablePath);
app.MapChunkedEndpoints();
app.MapAccountEndpoints();
app.MapShareEndpoints();
app.MapAdminApiEndpoints();
app.MapServerMetrics();
app.MapHmacPortalJobsDashboard();
app.MapHmacPortalUi();

await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so tests can host it.</summary>
public partial class Program;
