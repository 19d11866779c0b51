namespace HmacPortal.Engine.Storage;

/// <summary>
/// The kernel's id for the current boot (<c>/proc/sys/kernel/random/boot_id</c>): it changes exactly
/// when the machine restarts, which is when data that was written but not flushed can be lost.
/// </summary>
public static class MachineBoot
{
    private static readonly Lazy<string?> Current = new(() => Read("/proc/sys/kernel/random/boot_id"));

    /// <summary>This boot's id, or null where the system does not tell it.</summary>
    public static string? Id => Current.Value;

    /// <summary>The id in <paramref name="path"/>, or null when it cannot be read or is empty.</summary>
    public static string? Read(string path)
    {
        try
        {
            var id = File.ReadAllText(path).Trim();
            return id.Length > 0 ? id : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
