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

    /// <summary>The error page for unhandled exceptions; first in the pipeline so it covers everything after it.</summary>
    public static WebApplication UseHmacPortalErrorPage(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        return app;
    }

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
