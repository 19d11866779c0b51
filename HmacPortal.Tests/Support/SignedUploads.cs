using System.Net.Http.Headers;

namespace HmacPortal.Tests.Support;

/// <summary>Builds XEP-0363 PUTs as XMPP clients send them.</summary>
public static class SignedUploads
{
    public const string Secret = "test-secret-0123456789abcdef";

    public static byte[] Body(long size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static HttpRequestMessage Put(string encodedPath, string query, byte[] body, string? contentType = null, string prefix = "/upload/")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(HttpMethod.Put, $"{prefix}{encodedPath}{(query.Length > 0 ? "?" + query : string.Empty)}") { Content = content };
    }

    /// <summary>A PUT of <paramref name="path"/> signed with v (or v2 when a content type is given) and the test secret.</summary>
    public static HttpRequestMessage SignedPut(string path, byte[] body, string? contentType = null, string secret = Secret, string prefix = "/upload/")
    {
        var query = contentType is null
            ? "v=" + TestSigner.V(secret, path, body.Length)
            : "v2=" + TestSigner.V2(secret, path, body.Length, contentType);
        return Put(TestSigner.ProsodyEncode(path), query, body, contentType, prefix);
    }
}
