using System.Security.Cryptography;

namespace HmacPortal.Engine.Resumable;

/// <summary>A resumable upload's id: 128 random bits as 32 lowercase hex characters, so the URL is the capability.</summary>
public readonly record struct UploadId
{
    private UploadId(string value) => Value = value;

    public string Value { get; }

    /// <summary>
    /// How logs show it: the first 8 characters, enough to follow one upload through them and too
    /// few to use its URL.
    /// </summary>
    public string Logged => Value[..8];

    public static UploadId New() => new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    public static bool TryParse(string? text, out UploadId id)
    {
        id = default;
        if (text is not { Length: 32 } || !text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        id = new UploadId(text);
        return true;
    }

    public override string ToString() => Value;
}
