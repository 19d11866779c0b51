using MudBlazor.Services;

namespace HmacPortal.Components;

/// <summary>Blazor Server with MudBlazor: the portal and the admin console.</summary>
internal static class UiSetup
{
    public static IServiceCollection AddHmacPortalUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        return services;
    }

    /// <summary>
    /// Unhandled exceptions: browser pages get the error page; everything else (uploads, downloads,
    /// resumable, health, metrics) an RFC 9457 body. Neither shows exception text. First in the
    /// pipeline so it covers everything after it.
    /// </summary>
    public static WebApplication UseHmacPortalErrorPage(this WebApplication app)
    {
        app.UseWhen(IsPage, pages =>
        {
            if (!app.Environment.IsDevelopment())
            {
                pages.UseExceptionHandler("/Error", createScopeForErrors: true);
            }
        });
        app.UseWhen(context => !IsPage(context), api => api.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                var error = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;

                // An unreachable database is a passing state, not a fault of the server: 503, try again shortly.
                if (error is System.Data.Common.DbException failure)
                {
                    var wait = failure is Engine.Metadata.DatabaseUnavailableException unavailable ? unavailable.RetryAfter : TimeSpan.FromSeconds(5);
                    return Endpoints.HttpOutcomes.DatabaseUnavailable(wait, "the database is unreachable; try again shortly").ExecuteAsync(context);
                }

                // Storage gone (removed, or its volume not mounted): also passing, once an operator acts.
                if (error is Engine.Storage.StorageUnavailableException)
                {
                    return Endpoints.HttpOutcomes.StorageUnavailable().ExecuteAsync(context);
                }

                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/problem+json";
                return context.Response.WriteAsync(
                    "{\"type\":\"urn:hmacportal:problem:internal\",\"title\":\"Internal error\",\"status\":500,"
                    + "\"detail\":\"the server could not handle this request; it has been logged\"}",
                    context.RequestAborted);
            },
        }));
        return app;
    }

    /// <summary>A request for a page of the portal or the admin console (GET of HTML), not an API call.</summary>
    private static bool IsPage(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>Antiforgery for forms (admin sign-in and sign-out); after authentication, as it needs the user.</summary>
    public static WebApplication UseHmacPortalUi(this WebApplication app)
    {
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapHmacPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
