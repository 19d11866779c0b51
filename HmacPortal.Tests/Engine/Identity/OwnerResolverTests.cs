using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Identity;

public sealed class OwnerResolverTests
{
    private const string Directory = "6f1ed002ab5595859014ebf0951522d9f5a1b7bc";

    private static OwnerResolver Resolver(Action<OwnersOptions>? configure = null)
    {
        var options = new OwnersOptions();
        configure?.Invoke(options);
        return new OwnerResolver(new TestOptionsMonitor<OwnersOptions>(options));
    }

    private static SignatureCheck Signed(SignatureScheme scheme, string? owner = null) => new(SignatureStatus.Valid, scheme, string.Empty, owner);

    [Fact]
    public void TokenSubject_StandsAsItIs_EvenWhenTheMapNamesIt()
    {
        var resolver = Resolver(o => o.Map = ["alice => someone-else"]);

        Assert.Equal("alice", resolver.Resolve(Signed(SignatureScheme.Jwt, "alice"), "198.51.100.7"));
    }

    [Fact]
    public void EjabberdDirectory_IsTheOwner_AndCanBeMappedToTheAddressItStandsFor()
    {
        Assert.Equal(Directory, Resolver().Resolve(Signed(SignatureScheme.V2, Directory), "198.51.100.7"));
        Assert.Equal("alice@example.org", Resolver(o => o.Map = [$"{Directory} => alice@example.org"]).Resolve(Signed(SignatureScheme.V2, Directory), "198.51.100.7"));
    }

    [Fact]
    public void WithoutTokenOrDirectory_TheClientAddressOwns()
    {
        var resolver = Resolver();

        Assert.Equal("198.51.100.7", resolver.Resolve(Signed(SignatureScheme.V), "198.51.100.7"));
        Assert.Equal("198.51.100.7", resolver.Resolve(Signed(SignatureScheme.V), "::ffff:198.51.100.7"));
        Assert.Equal("198.51.100.7", Resolver(o => o.EjabberdDirectories = false).Resolve(Signed(SignatureScheme.V2, Directory), "198.51.100.7"));
    }

    [Theory]
    [InlineData(64, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData(64, "2001:db8:1:2::9", "2001:db8:1:2::/64")]
    [InlineData(48, "2001:db8:1:2::9", "2001:db8:1::/48")]
    [InlineData(128, "2001:db8:1:2::9", "2001:db8:1:2::9")]
    public void IPv6Clients_OwnByTheirPrefix(int prefix, string address, string owner) =>
        Assert.Equal(owner, Resolver(o => o.Ipv6Prefix = prefix).Resolve(Signed(SignatureScheme.V), address));

    [Fact]
    public void Networks_InTheMap_GroupAddressesUnderOneName()
    {
        var resolver = Resolver(o => o.Map = ["broken entry", "10.0.0.0/8 => office", "2001:db8::/32 => lab", "198.51.100.9 => kiosk"]);

        Assert.Equal("office", resolver.Resolve(Signed(SignatureScheme.V), "10.20.30.40"));
        Assert.Equal("lab", resolver.Resolve(Signed(SignatureScheme.V), "2001:db8:77::1"));
        Assert.Equal("kiosk", resolver.Resolve(Signed(SignatureScheme.V), "198.51.100.9"));
        Assert.Equal("198.51.100.10", resolver.Resolve(Signed(SignatureScheme.V), "198.51.100.10"));
    }

    [Fact]
    public void ByAddressOff_LeavesUnsignedUploadsWithoutOwner()
    {
        var resolver = Resolver(o => o.ByAddress = false);

        Assert.Null(resolver.Resolve(Signed(SignatureScheme.V), "198.51.100.7"));
        Assert.Null(Resolver().Resolve(Signed(SignatureScheme.V), null));
    }

    [Fact]
    public void BadMapEntriesAndPrefixes_AreConfigErrors()
    {
        var problems = ConfigRules.Check(new OwnersOptions { Ipv6Prefix = 0, Map = ["10.0.0.0/8 => office", "no arrow", " => nobody", "a b => c"] }).ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Name == "ipv6_prefix");
        Assert.Equal(3, problems.Count(p => p.Name == "map"));
    }
}
