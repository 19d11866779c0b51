using System.Runtime.InteropServices;

namespace HmacPortal.Engine.Health;

/// <summary>
/// The C library's heap, which SQLite, OpenSSL and the runtime itself allocate from. glibc gives a
/// thread that meets contention an arena of its own, up to eight per core, and memory freed in an
/// arena mostly stays with it. A server whose thread pool moves requests between threads then
/// creeps upward in resident memory hour after hour while its managed heap stays flat (the soak in
/// bench/RESULTS.md showed it). Two arenas keep that bounded at no measurable cost. Set here, the
/// limit stops new arenas; those of the threads the runtime started before <c>Main</c> remain,
/// which is why the systemd unit in docs/DEPLOYMENT.md also sets <c>MALLOC_ARENA_MAX</c>; and
/// once a minute <see cref="Trim"/> hands back what the arenas hold free.
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
    public static bool LimitArenas() =>
        Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null && Glibc(() => mallopt(ArenaMax, Arenas));

    /// <summary>
    /// Gives the pages that are free in every arena back to the system (glibc <c>malloc_trim</c>),
    /// so memory freed by native code stops counting as resident. True when something was given
    /// back; false when nothing was, or elsewhere than glibc.
    /// </summary>
    public static bool Trim() => Glibc(() => malloc_trim(0));

    /// <summary>A glibc call that answers 1 for success; false where there is no glibc.</summary>
    private static bool Glibc(Func<int> call)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return call() == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
