using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Stability;

/// <summary>Generated hostile input: parsers never throw, accepted paths never leave the root, the server never answers 5xx.</summary>
public sealed class FuzzTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(1500).WithQuietOnSuccess(true);

    private static readonly string[] PathPieces =
    [
        "a", "b.jpg", "..", ".", "%2e", "%2E%2e", "%2f", "%2F", "%5c", "\\", "%00", "%0a", "%c3%a8", "%C3", "%ff", "%", "%4", "%zz",
        "+", "%2b", " ", "%20", ".hmacportal-tmp-1", "~", "%F0%9F%93%B7", "//", "/", "con", "..%2f", "%252F", "é", "\u0001",
    ];

    private static Gen<string> EncodedPaths() =>
        Gen.Elements(PathPieces).ListOf().Select(pieces => string.Concat(pieces));

    [Fact]
    public void StoragePath_AnyEncodedInput_NeverThrowsAndStaysUnderTheRoot()
    {
        const string root = "/srv/hmacportal/files";
        Prop.ForAll(Arb.From(EncodedPaths()), raw =>
        {
            if (!StoragePath.TryParseEncoded(raw, out var path, out var error))
            {
                return !string.IsNullOrEmpty(error);
            }

            var full = path.ToFullPath(root);
            return full.StartsWith(root + "/", StringComparison.Ordinal)
                && path.Segments.All(s => s is not ("." or "..") && !s.Any(char.IsControl) && !s.Contains('/', StringComparison.Ordinal))
                && !path.Segments.Any(s => s.StartsWith(StoragePath.InternalPrefix, StringComparison.OrdinalIgnoreCase));
        }).Check(Runs);
    }

    [Fact]
    public void TomlReader_AnyText_NeverThrows()
    {
        var tomlish = Gen.Elements("[server]", "[", "]", "=", "\"", "'", "\n", "listen_address", "max_upload_size", " ", "10GB", "\"10XB\"",
                "[[a]]", "#", "true", "1e400", "-1", "x.y", "\"\"\"", "\\u0000", "[security]", "secret", "[quotas.custom]", "\"a@b\"", "{", "}", ",")
            .ListOf().Select(parts => string.Concat(parts));
        Prop.ForAll(Arb.From(tomlish), text =>
        {
            var read = TomlConfigReader.Read(text, "fuzz.toml");
            return read.Diagnostics.All(d => d.Line >= 0 && d.Column >= 0 && !string.IsNullOrEmpty(d.Message));
        }).Check(Runs);
    }

    [Fact]
    public void TomlReader_MutatedGoConfig_NeverThrows()
    {
        var original = TestFiles.Read("Config", "go-3.4-config.toml");
        var mutations = Gen.Choose(0, original.Length - 1).Two().SelectMany(pair =>
            Gen.Elements("", "\"", "[", "=", "\n", "x", "#", "]", "'", "0").Select(insert =>
            {
                var (from, to) = (Math.Min(pair.Item1, pair.Item2), Math.Max(pair.Item1, pair.Item2));
                return original[..from] + insert + original[Math.Min(to, from + 8)..];
            }));
        Prop.ForAll(Arb.From(mutations), text =>
        {
            var read = TomlConfigReader.Read(text, "fuzz.toml");
            return read.HasErrors || read.Data.Count > 0;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500).WithQuietOnSuccess(true));
    }

    internal static Gen<string> Paths() => EncodedPaths();
}
