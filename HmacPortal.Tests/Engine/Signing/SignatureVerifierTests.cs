using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Signing;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace HmacPortal.Tests.Engine.Signing;

public sealed class SignatureVerifierTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private SignatureVerifier Verifier(string secret, Action<SecurityOptions>? configure = null)
    {
        var options = new SecurityOptions { Secret = secret, JwtSecret = "jwt-secret-0123456789abcdef" };
        configure?.Invoke(options);
        return new SignatureVerifier(new TestOptionsMonitor<SecurityOptions>(options), _clock);
    }

    private static StoragePath PathOf(string value) =>
        StoragePath.TryCreate(value, out var path, out var error) ? path : throw new ArgumentException(error);

    private static UploadCredentials Credentials(string scheme, string mac) => scheme switch
    {
        "v" => new UploadCredentials(V: mac),
        "v2" => new UploadCredentials(V2: mac),
        _ => new UploadCredentials(Token: mac),
    };

    [Theory]
    [MemberData(nameof(ProtocolVectors.Names), MemberType = typeof(ProtocolVectors))]
    public void Verify_SharedVector_IsValid(string name)
    {
        var vector = ProtocolVectors.Named(name);
        Assert.Equal(vector.MacHex, TestSigner.Sign(vector.Scheme, vector.Secret, vector.SignedPath, vector.Size, vector.ContentType).Mac);

        var contentType = vector.Name == "v2-octet-fallback" ? null : vector.ContentType;
        var check = Verifier(vector.Secret).Verify(PathOf(vector.SignedPath), vector.Size, contentType, Credentials(vector.Scheme, vector.MacHex));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(vector.Scheme, check.Scheme.ToString().ToLowerInvariant());
    }

    [Theory]
    [MemberData(nameof(ProtocolVectors.NegativeNames), MemberType = typeof(ProtocolVectors))]
    public void Verify_NegativeVector_GivesExpectedVerdict(string name)
    {
        var negative = ProtocolVectors.Negative.Single(n => n.Name == name);
        var vector = ProtocolVectors.Named(negative.BasedOn);

        var check = Verifier(vector.Secret).Verify(
            PathOf(vector.SignedPath), negative.RequestSize, negative.RequestContentType ?? vector.ContentType, Credentials(vector.Scheme, negative.MacHex));

        Assert.Equal(negative.Expect == 201, check.IsValid);
    }

    [Fact]
    public void Verify_V2AndV_PrefersV2()
    {
        var vector = ProtocolVectors.Named("v2-basic");
        var wrongV = new string('0', 64);

        var check = Verifier(vector.Secret).Verify(PathOf(vector.SignedPath), vector.Size, vector.ContentType, new UploadCredentials(V: wrongV, V2: vector.MacHex));

        Assert.True(check.IsValid);
        Assert.Equal(SignatureScheme.V2, check.Scheme);
    }

    [Fact]
    public void Verify_NoCredentials_IsMissing() =>
        Assert.Equal(SignatureStatus.Missing, Verifier("0123456789abcdef").Verify(PathOf("a/b.jpg"), 1, null, new UploadCredentials()).Status);

    [Fact]
    public void Verify_EjabberdLayout_OwnerIsTheJidDirectory()
    {
        var vector = ProtocolVectors.Named("v-ejabberd");

        var check = Verifier(vector.Secret).Verify(PathOf(vector.SignedPath), vector.Size, null, new UploadCredentials(V: vector.MacHex));

        Assert.Equal("45a6b241a242c97f0492d382c390dfa335aac986", check.Owner);
    }

    [Fact]
    public void Verify_V3WithinGrace_IsValidAndAfterGrace_Expired()
    {
        const string secret = "0123456789abcdef0123";
        var expires = _clock.GetUtcNow().ToUnixTimeSeconds() + 60;
        var mac = TestSigner.V3(secret, "dir/file.bin", expires);
        var credentials = new UploadCredentials(V3: mac, Expires: expires.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var verifier = Verifier(secret, o => o.V3Grace = TimeSpan.FromMinutes(5));

        Assert.True(verifier.Verify(PathOf("dir/file.bin"), 10, null, credentials).IsValid);
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(verifier.Verify(PathOf("dir/file.bin"), 10, null, credentials).IsValid, "within the grace period");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SignatureStatus.LinkExpired, verifier.Verify(PathOf("dir/file.bin"), 10, null, credentials).Status);
    }

    [Fact]
    public void Verify_V3WithoutExpires_IsInvalid() =>
        Assert.Equal(SignatureStatus.Invalid, Verifier("0123456789abcdef").Verify(PathOf("a/b"), 1, null, new UploadCredentials(V3: new string('a', 64))).Status);

    private object Claims(long size = 100, string slot = "slot1", string filename = "f.png", long? iat = null, long? exp = null) => new
    {
        sub = "juliet@example.org",
        iat = iat ?? _clock.GetUtcNow().ToUnixTimeSeconds(),
        exp = exp ?? _clock.GetUtcNow().ToUnixTimeSeconds() + 300,
        slot,
        filename,
        filesize = size,
        filetype = "image/png",
        expires = _clock.GetUtcNow().ToUnixTimeSeconds() + 86400,
    };

    private SignatureCheck VerifyJwt(string token, long size = 100, string path = "slot1/f.png", Action<SecurityOptions>? configure = null) =>
        Verifier("0123456789abcdef", o => { o.EnableJwt = true; configure?.Invoke(o); })
            .Verify(PathOf(path), size, null, new UploadCredentials(BearerToken: token));

    [Fact]
    public void Verify_ValidJwt_CarriesOwnerTypeAndFileExpiry()
    {
        var check = VerifyJwt(TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims()));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal("juliet@example.org", check.Owner);
        Assert.Equal("image/png", check.GrantedContentType);
        Assert.Equal(_clock.GetUtcNow().AddDays(1), check.FileExpiresAt);
    }

    [Theory]
    [InlineData("wrong-secret-0123456789abcdef", "HS256")]
    [InlineData("jwt-secret-0123456789abcdef", "HS512")]
    [InlineData("jwt-secret-0123456789abcdef", "none")]
    public void Verify_JwtWithWrongKeyOrAlgorithm_IsTokenInvalid(string secret, string algorithm) =>
        Assert.Equal(SignatureStatus.TokenInvalid, VerifyJwt(TestSigner.Jwt(secret, Claims(), algorithm)).Status);

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("")]
    public void Verify_MalformedJwt_IsTokenInvalid(string token) =>
        Assert.Equal(SignatureStatus.TokenInvalid, VerifyJwt(token).Status);

    [Fact]
    public void Verify_JwtWithoutRequiredClaim_IsTokenInvalid() =>
        Assert.Equal(SignatureStatus.TokenInvalid, VerifyJwt(TestSigner.Jwt("jwt-secret-0123456789abcdef", new { sub = "a", exp = 9999999999L })).Status);

    [Fact]
    public void Verify_ExpiredJwt_IsTokenExpired()
    {
        var token = TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims());
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(SignatureStatus.TokenExpired, VerifyJwt(token).Status);
    }

    [Fact]
    public void Verify_JwtGrantingTooLongWindow_IsTokenInvalid()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();

        var check = VerifyJwt(TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims(iat: now, exp: now + 3600)), configure: o => o.JwtExpiration = TimeSpan.FromMinutes(5));

        Assert.Equal(SignatureStatus.TokenInvalid, check.Status);
        Assert.Contains("jwtexpiration", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_JwtForAnotherPath_IsPathMismatch() =>
        Assert.Equal(SignatureStatus.TokenPathMismatch, VerifyJwt(TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims()), path: "slot1/other.png").Status);

    [Fact]
    public void Verify_JwtWithOtherSize_IsSizeMismatch() =>
        Assert.Equal(SignatureStatus.TokenSizeMismatch, VerifyJwt(TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims(size: 100)), size: 101).Status);

    [Fact]
    public void Verify_JwtWhenDisabled_IsMissing()
    {
        var check = Verifier("0123456789abcdef").Verify(PathOf("slot1/f.png"), 100, null,
            new UploadCredentials(BearerToken: TestSigner.Jwt("jwt-secret-0123456789abcdef", Claims())));

        Assert.Equal(SignatureStatus.Missing, check.Status);
    }
}
