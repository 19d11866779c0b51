using System.Globalization;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// Durations written the Go way (<c>30s</c>, <c>1h30m</c>, <c>250ms</c>, <c>1.5h</c>) plus the
/// day, week and year units the Go server's templates use (<c>7d</c>, <c>2w</c>, <c>1y</c>).
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, TimeSpan Length)[] Units =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("us", TimeSpan.FromTicks(10)),
        ("ns", TimeSpan.FromTicks(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
        ("w", TimeSpan.FromDays(7)),
        ("y", TimeSpan.FromDays(365)),
    ];

    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var s = (text ?? string.Empty).Trim().ToLowerInvariant();
        if (s == "0")
        {
            error = string.Empty;
            return true;
        }

        if (s.Length == 0)
        {
            error = "a duration must not be empty (examples: 30s, 1h30m, 7d, 2w)";
            return false;
        }

        var total = 0m;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"'{text}' is not a duration (examples: 30s, 1h30m, 7d, 2w)";
                return false;
            }

            var unit = Units.FirstOrDefault(u => string.CompareOrdinal(s, i, u.Unit, 0, u.Unit.Length) == 0);
            if (unit.Unit is null)
            {
                error = $"'{text}' has a number without a unit (use ms, s, m, h, d, w or y)";
                return false;
            }

            i += unit.Unit.Length;
            total += amount * unit.Length.Ticks;
            if (total > TimeSpan.MaxValue.Ticks)
            {
                error = $"'{text}' is too long";
                return false;
            }
        }

        duration = TimeSpan.FromTicks((long)total);
        error = string.Empty;
        return true;
    }

    /// <summary>The Go-style form, largest units first: <c>1h30m</c>, <c>7d</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        var rest = value;
        foreach (var (unit, length) in new[] { ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)) })
        {
            var count = rest.Ticks / length.Ticks;
            if (count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count}{unit}"));
                rest -= TimeSpan.FromTicks(count * length.Ticks);
            }
        }

        return string.Concat(parts);
    }
}
