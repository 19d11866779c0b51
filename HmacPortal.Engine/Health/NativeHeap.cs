using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Health;

/// <summary>
/// The C library's heap, which SQLite, OpenSSL and the runtime itself allocate from. glibc gives a
/// thread that meets contention an arena of its own, up to eight per core, and memory freed in an
/// arena mostly stays with it. A server whose thread pool moves requests between threads then
/// creeps upward in resident memory hour after hour while its managed heap stays flat (the soak in
/// bench/RESULTS.md showed it). Two arenas keep that bounded at no measurable cost.
/// </summary>
public static partial class NativeHeap
{
    /// <summary>glibc's <c>M_ARENA_MAX</c>.</summary>
    private const int ArenaMax = -8;

    /// <summary>The arenas the server allows itself.</summary>
    public const int Arenas = 2;

    /// <summary>
    /// Limits glibc to <see cref="Arenas"/> arenas, unless the operator chose a number through
    /// <c>MALLOC_ARENA_MAX</c>. Call before the host starts its threads. True when glibc took the
    /// limit; false elsewhere (another C library, or the operator's own setting).
    /// </summary>
    public static bool LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }

        try
        {
            return mallopt(ArenaMax, Arenas) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
