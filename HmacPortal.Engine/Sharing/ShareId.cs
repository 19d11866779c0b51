using System.Security.Cryptography;

namespace HmacPortal.Engine.Sharing;

/// <summary>A share link's id: 128 random bits in base64url (22 characters). Knowing it is what opens the link.</summary>
public readonly record struct ShareId
{
    private ShareId(string value) => Value = value;

    public string Value { get; }

    /// <summary>How logs and the audit show it: the first 6 characters, too few to open the link.</summary>
    public string Logged => Value[..6];

    public static ShareId New() =>
        new(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    public static bool TryParse(string? text, out ShareId id)
    {
        id = default;
        if (text is not { Length: 22 } || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        id = new ShareId(text);
        return true;
    }

    public override string ToString() => Value;
}
