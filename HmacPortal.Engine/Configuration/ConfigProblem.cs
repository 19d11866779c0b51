namespace HmacPortal.Engine.Configuration;

/// <summary>A value that parsed but is not acceptable, named by its TOML key.</summary>
public sealed record ConfigProblem(string Table, string Name, string Message)
{
    public override string ToString() => $"[{Table}] {Name}: {Message}";
}
