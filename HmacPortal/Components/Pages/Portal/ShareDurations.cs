namespace HmacPortal.Components.Pages.Portal;

/// <summary>The expiry choices offered for share links.</summary>
public static class ShareDurations
{
    public static IReadOnlyList<(string Key, string Label, TimeSpan? Span)> Choices { get; } =
    [
        ("1h", "In 1 hour", TimeSpan.FromHours(1)),
        ("1d", "In 1 day", TimeSpan.FromDays(1)),
        ("7d", "In 7 days", TimeSpan.FromDays(7)),
        ("30d", "In 30 days", TimeSpan.FromDays(30)),
        ("365d", "In 1 year", TimeSpan.FromDays(365)),
        ("never", "Never", null),
    ];

    /// <summary>The span of a choice; null for "never" (and for a key that is not a choice).</summary>
    public static TimeSpan? Parse(string key) => Choices.FirstOrDefault(c => c.Key == key).Span;
}
