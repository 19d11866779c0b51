using Microsoft.Extensions.Configuration;

namespace HmacPortal.Hosting;

/// <summary>Adds <c>config.toml</c> to <c>IConfiguration</c>, reloading it when the file changes.</summary>
internal sealed class TomlConfigurationSource(string path, bool reloadOnChange) : IConfigurationSource
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new TomlConfigurationProvider(Path, reloadOnChange);
}
