using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Identity;
using HmacPortal.Engine.Storage;

namespace HmacPortal.Hosting;

/// <summary>Writes a working <c>config.toml</c> on the first start, so one command runs the server.</summary>
internal static class FirstRun
{
    /// <summary>
    /// Creates the file (mode 0600) with a new 32-byte secret and admin password when it does not exist.
    /// Returns the admin password when it created the file, so it can be shown once; otherwise null.
    /// </summary>
    public static string? CreateIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return null;
        }

        var password = ConfigTemplate.NewPassword();
        var text = ConfigTemplate.Render(new Dictionary<string, string>
        {
            ["[security] secret"] = ConfigTemplate.NewSecret(),
            ["[admin] password_hash"] = PasswordHash.Create(password),
        });
        return AtomicFile.TryCreate(path, text, AtomicFile.OwnerOnly) ? password : null;
    }
}
