namespace HmacPortal.Engine.Configuration;

/// <summary>A TOML table whose keys are names chosen by the operator (users), each with a string value.</summary>
/// <param name="Table">The TOML table, e.g. <c>portal.users</c>.</param>
/// <param name="ConfigurationPath">Where its entries go in <c>IConfiguration</c>, e.g. <c>Portal:Users</c>.</param>
/// <param name="ExampleName">A name used in the commented example <c>--genconfig</c> writes.</param>
/// <param name="ExampleValue">A value used in that example.</param>
/// <param name="Description">What the entries mean; this text is the config reference.</param>
/// <param name="NamesAreAddresses">Names may be XMPP addresses (with '@', '/' and '+') rather than user names.</param>
public sealed record NamedValuesTable(string Table, string ConfigurationPath, string ExampleName, string ExampleValue, string Description, bool NamesAreAddresses = false)
{
    /// <summary>Names are what a user types to sign in: ASCII letters, digits, '.', '_' and '-', at most 64.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public bool Accepts(string name) =>
        NamesAreAddresses
            ? name.Length is > 0 and <= 320 && !name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is ':')
            : IsValidName(name);
}
