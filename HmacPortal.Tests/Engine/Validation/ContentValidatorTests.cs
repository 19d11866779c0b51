using System.Text;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Validation;
using HmacPortal.Tests.Support;
using SkiaSharp;

namespace HmacPortal.Tests.Engine.Validation;

public sealed class ContentValidatorTests
{
    private readonly ValidationOptions _options = new() { CheckMagicBytes = true };
    private readonly ContentValidator _validator;

    public ContentValidatorTests()
    {
        _validator = new ContentValidator(new TestOptionsMonitor<ValidationOptions>(_options));
    }

    private static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(p => p is string text ? Encoding.ASCII.GetBytes(text) : p is byte[] bytes ? bytes : [(byte)(int)p]).ToArray();

    public static TheoryData<string, byte[]> Signatures => new()
    {
        { "image/jpeg", TestImages.Encode(8, 8, SKEncodedImageFormat.Jpeg) },
        { "image/png", TestImages.Encode(8, 8, SKEncodedImageFormat.Png) },
        { "image/webp", TestImages.Encode(8, 8, SKEncodedImageFormat.Webp) },
        { "image/gif", Bytes("GIF89a", 1, 0, 1, 0) },
        { "image/bmp", Bytes("BM", new byte[40]) },
        { "video/mp4", Bytes(0, 0, 0, 0x20, "ftypisom", new byte[16]) },
        { "video/quicktime", Bytes(0, 0, 0, 0x14, "ftypqt  ", new byte[8]) },
        { "audio/mp4", Bytes(0, 0, 0, 0x20, "ftypM4A ", new byte[16]) },
        { "image/heic", Bytes(0, 0, 0, 0x18, "ftypheic", new byte[12]) },
        { "video/webm", Bytes(0x1A, 0x45, 0xDF, 0xA3, new byte[8]) },
        { "audio/ogg", Bytes("OggS", new byte[8]) },
        { "audio/mpeg", Bytes("ID3", 4, 0, new byte[8]) },
        { "audio/wav", Bytes("RIFF", 0, 0, 0, 0, "WAVEfmt ") },
        { "audio/flac", Bytes("fLaC", new byte[8]) },
        { "application/pdf", Bytes("%PDF-1.7\n") },
        { "application/zip", Bytes("PK", 3, 4, new byte[20]) },
        { "application/gzip", Bytes(0x1F, 0x8B, 8, 0) },
        { "application/vnd.microsoft.portable-executable", Bytes("MZ", 0x90, 0) },
        { "application/x-executable", Bytes(0x7F, "ELF", 2, 1) },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Detect_KnowsTheFormatsPeopleSend(string type, byte[] head)
    {
        Assert.Equal(type, ContentSniffer.Detect(head));
        Assert.Null(_validator.Check(type, head));
    }

    [Fact]
    public void Detect_Text_IsUnknown() => Assert.Null(ContentSniffer.Detect("hello, plain text"u8));

    [Theory]
    [InlineData("image/jpeg", "the content is application/vnd.microsoft.portable-executable, not the declared image/jpeg")]
    [InlineData("application/pdf", "the content is application/vnd.microsoft.portable-executable, not the declared application/pdf")]
    public void Program_DeclaredAsSomethingElse_IsRefused(string declared, string reason) =>
        Assert.Equal(reason, _validator.Check(declared, Bytes("MZ", 0x90, 0, new byte[60])));

    [Fact]
    public void Html_DeclaredAsAnImage_IsRefused() =>
        Assert.Equal("the content does not begin as image/png does", _validator.Check("image/png", "<html><script>alert(1)</script>"u8));

    [Theory]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("application/epub+zip")]
    [InlineData("application/vnd.android.package-archive")]
    public void ZipBasedFormats_AreAcceptedWithAZipSignature(string declared) =>
        Assert.Null(_validator.Check(declared, Bytes("PK", 3, 4, new byte[20])));

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("")]
    [InlineData("image/jpg")]
    [InlineData("image/jpeg; charset=binary")]
    public void UnspecificOrAliasedDeclarations_AreNotMismatches(string declared) =>
        Assert.Null(_validator.Check(declared, TestImages.Encode(8, 8, SKEncodedImageFormat.Jpeg)));

    [Fact]
    public void Off_DeclaredTypeIsNotChecked()
    {
        _options.CheckMagicBytes = false;

        Assert.False(_validator.Active);
        Assert.Null(_validator.Check("image/jpeg", Bytes("MZ", 0x90, 0)));
    }

    [Fact]
    public void BlockedAndAllowedTypes_AreJudgedOnWhatTheContentIs()
    {
        _options.CheckMagicBytes = false;
        _options.BlockedTypes = ["application/vnd.microsoft.portable-executable"];
        Assert.True(_validator.Active);
        Assert.Equal("files of type application/vnd.microsoft.portable-executable are not accepted here (application/vnd.microsoft.portable-executable is blocked)",
            _validator.Check("application/octet-stream", Bytes("MZ", 0x90, 0)));

        _options.BlockedTypes = [];
        _options.AllowedTypes = ["image/*", "text/plain"];
        Assert.Null(_validator.Check("application/octet-stream", TestImages.Encode(8, 8, SKEncodedImageFormat.Png)));
        Assert.Null(_validator.Check("text/plain", "notes"u8));
        Assert.Equal("files of type application/pdf are not accepted here; accepted: image/*, text/plain", _validator.Check("image/png", Bytes("%PDF-1.4")));
    }
}
