using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HmacPortal.Engine.Portal;
using Microsoft.Extensions.DependencyInjection;

namespace HmacPortal.Tests.Support;

/// <summary>Uploads through the host as the portal page does: a grant for the account, then one tus creation-with-upload.</summary>
public static class PortalHttp
{
    public static async Task<string> UploadAsync(IServiceProvider services, HttpClient http, PortalAccount account, string name, byte[] body, string? contentType = null)
    {
        var grant = await services.GetRequiredService<PortalUploads>().AuthorizeAsync(account, name, body.Length, contentType, CancellationToken.None);
        Assert.True(grant.Token is not null, grant.Error);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/files/") { Content = new ByteArrayContent(body) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String(Encoding.UTF8.GetBytes(name))}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grant.Token);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return grant.Path;
    }
}
