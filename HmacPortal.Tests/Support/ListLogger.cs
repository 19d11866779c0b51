using Microsoft.Extensions.Logging;

namespace HmacPortal.Tests.Support;

/// <summary>A logger that keeps what it is given, for tests of what is logged (and what is not).</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _events = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add((eventId, logLevel, formatter(state, exception)));
        }
    }
}
