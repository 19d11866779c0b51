using HmacPortal.Engine.Storage;

namespace HmacPortal.Tests.Engine.Storage;

public sealed class StoragePathTests
{
    [Theory]
    [InlineData("uuid/tr%c3%a8s%20cool.jpg", "uuid/très cool.jpg")]
    [InlineData("uuid/K%C3%A4se.jpg", "uuid/Käse.jpg")]
    [InlineData("uuid/a%2bb=c.png", "uuid/a+b=c.png")]
    [InlineData("uuid/a+b.png", "uuid/a+b.png")]
    [InlineData("uuid/%F0%9F%93%B7.jpg", "uuid/📷.jpg")]
    [InlineData("uuid/100%25.txt", "uuid/100%.txt")]
    [InlineData("uuid/%252F.txt", "uuid/%2F.txt")]
    [InlineData("a/b/c/d.txt", "a/b/c/d.txt")]
    public void TryParseEncoded_DecodesExactlyOnce(string raw, string expected)
    {
        Assert.True(StoragePath.TryParseEncoded(raw, out var path, out var error), error);
        Assert.Equal(expected, path.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/../b")]
    [InlineData("a/%2e%2e/b")]
    [InlineData("a/%2E%2E")]
    [InlineData("..")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a%2Fb")]
    [InlineData("a%2fb/c")]
    [InlineData("a/b%5Cc")]
    [InlineData("a/b%00c")]
    [InlineData("a/b%0Ac")]
    [InlineData("a/b%7Fc")]
    [InlineData("a/%ff.jpg")]
    [InlineData("a/%C3.jpg")]
    [InlineData("a/%zz.jpg")]
    [InlineData("a/%4")]
    [InlineData("a/.hmacportal-tmp-0123")]
    [InlineData("a/.HMACPORTAL-health")]
    public void TryParseEncoded_HostilePath_IsRefused(string raw)
    {
        Assert.False(StoragePath.TryParseEncoded(raw, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryCreate_OverLongSegment_IsRefused()
    {
        Assert.False(StoragePath.TryCreate("a/" + new string('x', 256), out _, out _));
        Assert.True(StoragePath.TryCreate("a/" + new string('x', 255), out _, out _));
        Assert.False(StoragePath.TryCreate("a/" + new string('é', 128), out _, out _), "the limit is in UTF-8 bytes");
    }

    [Fact]
    public void TryCreate_TooManySegments_IsRefused() =>
        Assert.False(StoragePath.TryCreate(string.Join('/', Enumerable.Repeat("a", 17)), out _, out _));

    [Fact]
    public void ToFullPath_StaysInsideRoot()
    {
        Assert.True(StoragePath.TryCreate("uuid/file name.jpg", out var path, out _));

        Assert.Equal("/srv/files/uuid/file name.jpg", path.ToFullPath("/srv/files/"));
    }
}
