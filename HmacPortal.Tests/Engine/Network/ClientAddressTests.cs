using System.Net;
using HmacPortal.Engine.Network;

namespace HmacPortal.Tests.Engine.Network;

public sealed class ClientAddressTests
{
    private static IReadOnlyList<IPNetwork> Trust(params string[] entries) =>
        entries.Select(e => ClientAddress.TryParseNetwork(e, out var n) ? n : throw new ArgumentException(e)).ToList();

    private static string? Resolve(string peer, string? forwardedFor, string? realIp, params string[] trusted) =>
        ClientAddress.Resolve(IPAddress.Parse(peer), forwardedFor, realIp, Trust(trusted))?.ToString();

    [Theory]
    [InlineData("198.51.100.7", "127.0.0.1", null, "198.51.100.7")]
    [InlineData("198.51.100.7", null, "127.0.0.1", "198.51.100.7")]
    public void UntrustedPeer_HeadersAreIgnored(string peer, string? forwardedFor, string? realIp, string expected) =>
        Assert.Equal(expected, Resolve(peer, forwardedFor, realIp, "127.0.0.1"));

    [Theory]
    [InlineData("203.0.113.9", null, "203.0.113.9")]
    [InlineData("198.51.100.1, 203.0.113.9", null, "203.0.113.9")]
    [InlineData("203.0.113.9, 10.1.2.3", null, "203.0.113.9")]
    [InlineData(null, "203.0.113.9", "203.0.113.9")]
    [InlineData("[2001:db8::5]:443", null, "2001:db8::5")]
    [InlineData("203.0.113.9:51234", null, "203.0.113.9")]
    [InlineData("garbage, 10.1.2.3", null, "10.1.2.3")]
    [InlineData(null, null, "127.0.0.1")]
    public void TrustedPeer_TheFirstUntrustedHopFromTheRightIsTheClient(string? forwardedFor, string? realIp, string expected) =>
        Assert.Equal(expected, Resolve("127.0.0.1", forwardedFor, realIp, "127.0.0.1", "10.0.0.0/8"));

    [Fact]
    public void Ipv4MappedPeer_MatchesAnIpv4Proxy() =>
        Assert.Equal("203.0.113.9", Resolve("::ffff:127.0.0.1", "203.0.113.9", null, "127.0.0.1"));

    [Fact]
    public void Ipv6Network_IsTrusted() =>
        Assert.Equal("2001:db8::9", Resolve("fd00::1", "2001:db8::9", null, "fd00::/8"));

    [Fact]
    public void NoTrustedProxies_ThePeerCounts() =>
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "203.0.113.9", null));

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("localhost", false)]
    [InlineData("10.0.0.0/33", false)]
    public void TryParseNetwork_AcceptsAddressesAndCidr(string text, bool ok) =>
        Assert.Equal(ok, ClientAddress.TryParseNetwork(text, out _));
}
