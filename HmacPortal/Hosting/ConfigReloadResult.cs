using HmacPortal.Engine.Configuration;

namespace HmacPortal.Hosting;

/// <summary>The outcome of reading the config file again after it changed.</summary>
internal sealed record ConfigReloadResult(bool Applied, IReadOnlyList<ConfigDiagnostic> Diagnostics);
