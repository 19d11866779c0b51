using System.Text.RegularExpressions;

namespace HmacPortal.Tests.Support;

/// <summary>Posting the site's forms as a browser does: the antiforgery token from the page, then the fields.</summary>
public static partial class FormPosts
{
    /// <summary>Opens <paramref name="page"/> (setting the antiforgery cookie) and returns its form's token.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(new Uri(page, UriKind.Relative));
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"{page} has no antiforgery token");
        return match.Groups[1].Value;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, IReadOnlyDictionary<string, string> fields)
    {
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = await TokenAsync(client, page) };
        return await client.PostAsync(new Uri(action, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
