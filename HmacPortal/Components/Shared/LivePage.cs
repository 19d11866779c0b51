using Microsoft.AspNetCore.Components;

namespace HmacPortal.Components.Shared;

/// <summary>
/// A page that pushes fresh figures over the circuit every <see cref="Interval"/> until it is
/// closed: a timer on the injected clock (so tests drive it with a fake one) that ends on dispose.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private PeriodicTimer? _timer;
    private Task _ticking = Task.CompletedTask;

    [Inject]
    protected TimeProvider Clock { get; set; } = default!;

    protected abstract TimeSpan Interval { get; }

    /// <summary>Reads the figures; called once before the first render and then on every tick.</summary>
    protected abstract Task RefreshAsync();

    protected override async Task OnInitializedAsync()
    {
        await RefreshAsync();
        if (RendererInfo.IsInteractive)
        {
            _timer = new PeriodicTimer(Interval, Clock);
            _ticking = TickAsync();
        }
    }

    private async Task TickAsync()
    {
        try
        {
            while (await _timer!.WaitForNextTickAsync(_stop.Token))
            {
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _timer?.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
