using System.Security.Cryptography;
using System.Text;

namespace HmacPortal.Engine.Signing;

/// <summary>
/// The key of the upload grants the portal gives signed-in users: derived from <c>[security]
/// secret</c> for this one purpose, so a portal grant can never pass as an XMPP server's JWT or
/// the other way round, and every node that shares the secret accepts it.
/// </summary>
public static class PortalGrantKey
{
    public const string KeyId = "hmacportal-portal";
    public const string Algorithm = "HS256";

    /// <summary>How long a portal grant may be used to start an upload (resuming needs no grant).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public static string Derive(string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "hmacportal portal upload grant v1"u8));
}
