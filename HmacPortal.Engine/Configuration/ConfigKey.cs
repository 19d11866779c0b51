namespace HmacPortal.Engine.Configuration;

/// <summary>One key HmacPortal reads from <c>config.toml</c>.</summary>
/// <param name="Table">The TOML table, e.g. <c>server</c>.</param>
/// <param name="Name">The key as written in TOML, e.g. <c>listen_address</c>.</param>
/// <param name="Property">The options property it binds to, e.g. <c>ListenAddress</c>.</param>
/// <param name="Kind">How the value is parsed.</param>
/// <param name="Default">The default, as it would be written in TOML (without quotes).</param>
/// <param name="Description">What it does; this text is the config reference.</param>
/// <param name="RestartRequired">True when a change takes effect only after a restart.</param>
public sealed record ConfigKey(
    string Table,
    string Name,
    string Property,
    ConfigValueKind Kind,
    string Default,
    string Description,
    bool RestartRequired = false)
{
    /// <summary>The key's path in <c>IConfiguration</c>, e.g. <c>Server:ListenAddress</c>.</summary>
    public string ConfigurationPath => $"{ConfigSchema.SectionName(Table)}:{Property}";

    public string DisplayName => $"[{Table}] {Name}";
}
