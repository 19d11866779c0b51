using System.Text.Json;

namespace HmacPortal.Tests.Support;

/// <summary>The shared XEP-0363 test vectors (TestData/Protocol, copied from the protocol notes).</summary>
public static class ProtocolVectors
{
    public sealed record Vector(string Name, string Scheme, string Secret, string SignedPath, long Size, string? ContentType, string MacHex);

    public sealed record NegativeCase(string Name, string BasedOn, long RequestSize, string? RequestContentType, string MacHex, int Expect);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IReadOnlyList<Vector> All { get; } =
        JsonDocument.Parse(TestFiles.Read("Protocol", "hmac-vectors.json")).RootElement.GetProperty("vectors")
            .EnumerateArray().Select(e => e.Deserialize<Vector>(Json)!).ToList();

    public static IReadOnlyList<NegativeCase> Negative { get; } =
        JsonDocument.Parse(TestFiles.Read("Protocol", "hmac-negative.json")).RootElement.GetProperty("cases")
            .EnumerateArray().Select(e => e.Deserialize<NegativeCase>(Json)!).ToList();

    public static Vector Named(string name) => All.Single(v => v.Name == name);

    public static TheoryData<string> Names() => new(All.Select(v => v.Name));

    public static TheoryData<string> NegativeNames() => new(Negative.Select(v => v.Name));
}
