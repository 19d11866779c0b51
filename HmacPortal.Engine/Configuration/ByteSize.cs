using System.ComponentModel;
using System.Globalization;

namespace HmacPortal.Engine.Configuration;

/// <summary>
/// A non-negative number of bytes. Parsed from the Go server's size strings: an integer followed by
/// <c>B</c>, <c>KB</c>, <c>MB</c>, <c>GB</c> or <c>TB</c> (binary multiples, case-insensitive), or a
/// bare integer meaning bytes.
/// </summary>
[TypeConverter(typeof(ByteSizeTypeConverter))]
public readonly record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    private static readonly (string Suffix, int Shift)[] Units =
    [
        ("TB", 40), ("GB", 30), ("MB", 20), ("KB", 10),
        ("TIB", 40), ("GIB", 30), ("MIB", 20), ("KIB", 10),
        ("T", 40), ("G", 30), ("M", 20), ("K", 10), ("B", 0),
    ];

    public static ByteSize Zero => default;

    /// <summary>Parses a size string; returns false with a reason for anything else.</summary>
    public static bool TryParse(string? text, out ByteSize size, out string error)
    {
        size = default;
        var s = (text ?? string.Empty).Trim();
        if (s.Length == 0)
        {
            error = "a size must not be empty (examples: 512KB, 10GB, 1TB, 123B)";
            return false;
        }

        var upper = s.ToUpperInvariant();
        var shift = 0;
        var number = upper;
        foreach (var (suffix, unitShift) in Units)
        {
            if (upper.EndsWith(suffix, StringComparison.Ordinal))
            {
                shift = unitShift;
                number = upper[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (number.Length == 0 || !number.All(char.IsAsciiDigit))
        {
            error = $"'{s}' is not a size (examples: 512KB, 10GB, 1TB, 123B)";
            return false;
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value > (long.MaxValue >> shift))
        {
            error = $"'{s}' is too large";
            return false;
        }

        size = new ByteSize(value << shift);
        error = string.Empty;
        return true;
    }

    public static ByteSize Parse(string text) =>
        TryParse(text, out var size, out var error) ? size : throw new FormatException(error);

    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public static bool operator <(ByteSize left, ByteSize right) => left.Bytes < right.Bytes;
    public static bool operator >(ByteSize left, ByteSize right) => left.Bytes > right.Bytes;
    public static bool operator <=(ByteSize left, ByteSize right) => left.Bytes <= right.Bytes;
    public static bool operator >=(ByteSize left, ByteSize right) => left.Bytes >= right.Bytes;

    /// <summary>The shortest exact form: <c>10GB</c>, <c>1536KB</c>, <c>123B</c>.</summary>
    public override string ToString()
    {
        foreach (var (suffix, shift) in Units.Where(u => u.Suffix.Length == 2 && u.Suffix[1] == 'B'))
        {
            if (Bytes != 0 && Bytes % (1L << shift) == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Bytes >> shift}{suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Bytes}B");
    }

    /// <summary>A rounded, human form for display: <c>1.5 GiB</c>.</summary>
    public string ToDisplayString()
    {
        string[] names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = Bytes;
        var i = 0;
        while (value >= 1024 && i < names.Length - 1)
        {
            value /= 1024;
            i++;
        }

        return i == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {names[i]}");
    }
}
