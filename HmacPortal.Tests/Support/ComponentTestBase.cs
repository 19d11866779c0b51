using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace HmacPortal.Tests.Support;

/// <summary>bUnit with MudBlazor's services, an interactive renderer and loose JS interop.</summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    protected ComponentTestBase()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Renders as the live circuit does, or as prerendering does when <paramref name="interactive"/> is false.</summary>
    /// <remarks>Setting the renderer builds the service provider, so test services must be added before this.</remarks>
    protected IRenderedComponent<T> RenderPage<T>(bool interactive = true)
        where T : IComponent
    {
        SetRendererInfo(new RendererInfo(interactive ? "Server" : "Static", interactive));
        return Render<T>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        OnDisposed();
    }

    /// <summary>Releases what a test class owns besides the bUnit context.</summary>
    protected virtual void OnDisposed()
    {
    }
}
