using HmacPortal.Engine.Configuration;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class GoDurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "30s", TimeSpan.FromSeconds(30) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "7d", TimeSpan.FromDays(7) },
        { "2w", TimeSpan.FromDays(14) },
        { "1y", TimeSpan.FromDays(365) },
        { "250ms", TimeSpan.FromMilliseconds(250) },
        { "1.5h", TimeSpan.FromMinutes(90) },
        { "4800s", TimeSpan.FromSeconds(4800) },
        { "0", TimeSpan.Zero },
        { "1D", TimeSpan.FromDays(1) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_GoStyleDuration_Parses(string text, TimeSpan expected)
    {
        Assert.True(GoDuration.TryParse(text, out var duration, out var error), error);
        Assert.Equal(expected, duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("h")]
    [InlineData("-5s")]
    [InlineData("99999999999999y")]
    public void TryParse_Invalid_FailsWithReason(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Format_WritesLargestUnitsFirst() =>
        Assert.Equal("1d2h3m4s", GoDuration.Format(new TimeSpan(1, 2, 3, 4)));
}
