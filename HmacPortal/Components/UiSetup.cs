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

    public static WebApplication UseHmacPortalUi(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

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
