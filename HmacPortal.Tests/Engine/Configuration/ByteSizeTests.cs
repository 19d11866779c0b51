using HmacPortal.Engine.Configuration;

namespace HmacPortal.Tests.Engine.Configuration;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("10GB", 10L << 30)]
    [InlineData("512KB", 512L << 10)]
    [InlineData("1TB", 1L << 40)]
    [InlineData("123B", 123L)]
    [InlineData("123", 123L)]
    [InlineData("100mb", 100L << 20)]
    [InlineData(" 2 GB ", 2L << 30)]
    [InlineData("4MiB", 4L << 20)]
    [InlineData("0B", 0L)]
    public void TryParse_ValidSize_ReturnsBinaryMultiple(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var size, out var error), error);
        Assert.Equal(expected, size.Bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("10XB")]
    [InlineData("-1GB")]
    [InlineData("1.5GB")]
    [InlineData("ten MB")]
    [InlineData("99999999999TB")]
    public void TryParse_InvalidSize_FailsWithReason(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData(10L << 30, "10GB")]
    [InlineData(1536L << 10, "1536KB")]
    [InlineData(123L, "123B")]
    public void ToString_RoundTripsThroughParse(long bytes, string expected)
    {
        var size = new ByteSize(bytes);
        Assert.Equal(expected, size.ToString());
        Assert.Equal(size, ByteSize.Parse(size.ToString()));
    }
}
