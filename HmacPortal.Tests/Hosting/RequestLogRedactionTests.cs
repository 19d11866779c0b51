using HmacPortal.Endpoints.Sharing;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Sharing;
using HmacPortal.Hosting;

namespace HmacPortal.Tests.Hosting;

/// <summary>
/// The request log never holds a whole capability: whoever reads a resumable upload's URL can
/// write to it, and whoever reads a share link's can open it.
/// </summary>
public sealed class RequestLogRedactionTests
{
    private const string Resumable = "/files/";
    private static readonly string Upload = UploadId.New().Value;
    private static readonly string Link = ShareId.New().Value;

    [Theory]
    [InlineData("/files/", false)]
    [InlineData("/FILES/", false)]
    [InlineData("/files/", true)]
    public void ResumableUploadUrl_ShowsOnlyTheStartOfItsId_InWhateverCaseItCame(string prefix, bool capitals)
    {
        var id = capitals ? Upload.ToUpperInvariant() : Upload;

        var logged = LoggingSetup.RedactCapabilities(prefix + id, Resumable);

        Assert.Equal(prefix + id[..8] + "…", logged);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/unlock")]
    [InlineData("/files/0")]
    [InlineData("/zip")]
    public void ShareLinkUrls_ShowOnlyTheStartOfTheLinkId_AndWhatFollowsIt(string below)
    {
        var logged = LoggingSetup.RedactCapabilities(ShareEndpoints.PathPrefix + Link + below, Resumable);

        Assert.Equal("/s/" + Link[..6] + "…" + below, logged);
        Assert.DoesNotContain(Link, logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/upload/slot-1/photo.jpg")]
    [InlineData("/health")]
    [InlineData("/files/")]
    [InlineData("/files/not-an-upload-id")]
    [InlineData("/s/not-a-link")]
    [InlineData("/s/")]
    [InlineData("/portal/files")]
    public void OtherPaths_AreLoggedAsTheyAre(string path) =>
        Assert.Equal(path, LoggingSetup.RedactCapabilities(path, Resumable));
}
