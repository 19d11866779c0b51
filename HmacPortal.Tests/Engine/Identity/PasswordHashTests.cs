using HmacPortal.Engine.Identity;

namespace HmacPortal.Tests.Engine.Identity;

public sealed class PasswordHashTests
{
    [Fact]
    public void Create_ThenVerify_AcceptsOnlyThePassword()
    {
        var hash = PasswordHash.Create("s3cret pass");

        Assert.StartsWith("pbkdf2-sha256$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("s3cret pass", hash));
        Assert.False(PasswordHash.Verify("s3cret pasS", hash));
        Assert.NotEqual(hash, PasswordHash.Create("s3cret pass"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$1$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$210000$not base64$x")]
    public void Verify_MalformedHash_IsFalse(string hash)
    {
        Assert.False(PasswordHash.IsWellFormed(hash));
        Assert.False(PasswordHash.Verify("anything", hash));
    }
}
