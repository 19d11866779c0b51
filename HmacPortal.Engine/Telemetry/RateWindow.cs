namespace HmacPortal.Engine.Telemetry;

/// <summary>Counts per second in a ring of one-second buckets, so rates cost the same however busy the server is.</summary>
internal sealed class RateWindow(int seconds)
{
    private readonly long[] _counts = new long[seconds];
    private readonly long[] _stamps = new long[seconds];
    private readonly Lock _gate = new();

    public void Add(long second, long amount)
    {
        var slot = (int)(second % _counts.Length);
        lock (_gate)
        {
            if (_stamps[slot] != second)
            {
                (_stamps[slot], _counts[slot]) = (second, 0);
            }

            _counts[slot] += amount;
        }
    }

    /// <summary>The total of the last <paramref name="span"/> whole seconds before <paramref name="now"/> (the current second is still filling).</summary>
    public long Total(long now, int span)
    {
        long total = 0;
        lock (_gate)
        {
            for (var i = 0; i < _counts.Length; i++)
            {
                if (_stamps[i] <= now && _stamps[i] > now - span - 1)
                {
                    total += _counts[i];
                }
            }
        }

        return total;
    }

    public double PerSecond(long now, int span) => Total(now, span) / (double)(span + 1);
}
