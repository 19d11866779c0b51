namespace HmacPortal.Engine.Sharing;

/// <summary>The result of creating or changing a link: the link, or why not.</summary>
public sealed record ShareOutcome(ShareLink? Link, string Error)
{
    public static ShareOutcome Refused(string error) => new(null, error);

    public bool Succeeded => Link is not null;
}
