using System.Net;
using System.Net.Sockets;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Network;
using HmacPortal.Engine.Signing;
using Microsoft.Extensions.Options;

namespace HmacPortal.Engine.Identity;

/// <summary>
/// Who owns an upload, for quotas, per-owner rate limits, the files list and the audit log. A
/// signed identity comes first: a JWT's <c>sub</c> (the portal's own grants carry the portal
/// user) stands as it is. Otherwise, as <c>[owners]</c> allows, ejabberd's per-user directory,
/// then the client's address (IPv6 by <c>ipv6_prefix</c>), each renamed by <c>[owners] map</c>
/// when an entry matches it exactly or (for an address) names a network it is in.
/// </summary>
public sealed class OwnerResolver(IOptionsMonitor<OwnersOptions> options)
{
    /// <summary>The owner of an upload authorised by <paramref name="check"/> from <paramref name="clientAddress"/>, or null when none may be named.</summary>
    public string? Resolve(SignatureCheck check, string? clientAddress)
    {
        var o = options.CurrentValue;
        // A token's subject was chosen by its signed issuer (the XMPP server, or the portal for its users) and stands as it is.
        if (check.Scheme == SignatureScheme.Jwt && check.Owner is { } subject)
        {
            return subject;
        }

        if (o.EjabberdDirectories && check.Owner is { } directory)
        {
            return Mapped(o, directory, null);
        }

        return ByAddress(clientAddress);
    }

    /// <summary>The owner an unsigned upload from <paramref name="clientAddress"/> counts as, or null when <c>by_address</c> is off.</summary>
    public string? ByAddress(string? clientAddress)
    {
        var o = options.CurrentValue;
        if (!o.ByAddress || clientAddress is null || !IPAddress.TryParse(clientAddress, out var parsed))
        {
            return null;
        }

        var address = ClientAddress.Normalize(parsed);
        var name = address.AddressFamily == AddressFamily.InterNetworkV6 && o.Ipv6Prefix is > 0 and < 128
            ? Prefix(address, o.Ipv6Prefix)
            : address.ToString();
        return Mapped(o, name, address);
    }

    private static string Prefix(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = length; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return $"{new IPAddress(bytes)}/{length}";
    }

    private static string Mapped(OwnersOptions o, string owner, IPAddress? address)
    {
        foreach (var entry in o.Map)
        {
            if (!TryParseEntry(entry, out var match, out var mapped))
            {
                continue;
            }

            if (match.Equals(owner, StringComparison.OrdinalIgnoreCase)
                || (address is not null && ClientAddress.TryParseNetwork(match, out var network) && network.Contains(address)))
            {
                return mapped;
            }
        }

        return owner;
    }

    /// <summary>Splits <c>"match => owner"</c>; false when either side is empty or holds spaces.</summary>
    public static bool TryParseEntry(string entry, out string match, out string owner)
    {
        var arrow = entry.IndexOf(OwnersOptions.MapArrow, StringComparison.Ordinal);
        match = arrow < 0 ? string.Empty : entry[..arrow].Trim();
        owner = arrow < 0 ? string.Empty : entry[(arrow + OwnersOptions.MapArrow.Length)..].Trim();
        return match.Length > 0 && owner.Length is > 0 and <= 320
            && !match.Any(char.IsWhiteSpace) && !owner.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }
}
