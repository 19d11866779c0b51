using Microsoft.Extensions.Logging;

namespace HmacPortal.Engine.Sharing;

/// <summary>Log events of share links (event ids 6000-6099). A link's id opens it, so only its first 6 characters are logged.</summary>
internal static partial class SharingLog
{
    [LoggerMessage(6000, LogLevel.Information, "{Owner} shared {Count} file(s) as link {Link}…")]
    public static partial void Created(ILogger logger, string owner, int count, string link);

    [LoggerMessage(6001, LogLevel.Information, "Link {Link}… revoked by {Owner}")]
    public static partial void Revoked(ILogger logger, string link, string owner);

    [LoggerMessage(6002, LogLevel.Information, "Link {Link}… reached its download limit; deleted its {Count} file(s) as asked")]
    public static partial void DeletedAfterDownload(ILogger logger, string link, int count);

    [LoggerMessage(6003, LogLevel.Warning, "Wrong password for link {Link}… from {Client}")]
    public static partial void WrongPassword(ILogger logger, string link, string client);
}
