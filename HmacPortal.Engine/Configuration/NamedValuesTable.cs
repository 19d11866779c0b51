namespace HmacPortal.Engine.Configuration;

/// <summary>A TOML table whose keys are names chosen by the operator (users), each with a string value.</summary>
/// <param name="Table">The TOML table, e.g. <c>portal.users</c>.</param>
/// <param name="ConfigurationPath">Where its entries go in <c>IConfiguration</c>, e.g. <c>Portal:Users</c>.</param>
/// <param name="ExampleName">A name used in the commented example <c>--genconfig</c> writes.</param>
/// <param name="ExampleValue">A value used in that example.</param>
/// <param name="Description">What the entries mean; this text is the config reference.</param>
public sealed record NamedValuesTable(string Table, string ConfigurationPath, string ExampleName, string ExampleValue, string Description)
{
    /// <summary>Names are what a user types to sign in: ASCII letters, digits, '.', '_' and '-', at most 64.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
