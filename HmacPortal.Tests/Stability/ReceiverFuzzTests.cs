using System.Text;
using FsCheck.Fluent;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Stability;

/// <summary>Generated requests against a real server process: whatever arrives, the answer is never a 5xx.</summary>
public sealed class ReceiverFuzzTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Receiver_GeneratedPathsAndHeaders_NeverAnswer5xx()
    {
        using var client = fixture.Server.CreateClient();
        var cases = (
                from path in FuzzTests.Paths()
                from method in Gen.Elements("PUT", "GET", "HEAD", "OPTIONS", "DELETE", "PATCH", "POST")
                from query in Gen.Elements("v=" + new string('a', 64), "v2=zz", "token=", "v3=00&expires=-1", "v3=00&expires=99999999999999999999", "v=%00", string.Empty)
                from range in Gen.Elements("bytes=0-", "bytes=-0", "bytes=5-1", "bytes=abc", "bytes=0-1,2-3", "items=1-2", string.Empty)
                from type in Gen.Elements("image/png", "x/y\"z", "", "text/html; charset=utf-8", "a/b; c", ";;;", "image/png, image/jpeg")
                select (path, method, query, range, type))
            .Sample(300);

        foreach (var (path, method, query, range, type) in cases)
        {
            Uri uri;
            try
            {
                uri = new Uri(fixture.Server.BaseAddress, $"upload/{path}?{query}");
            }
            catch (UriFormatException)
            {
                continue;
            }

            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            if (method is "PUT" or "POST" or "PATCH")
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("fuzz"));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }

            request.Headers.TryAddWithoutValidation("Range", range);
            using var response = await client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {uri} answered {(int)response.StatusCode}");
        }
    }
}
