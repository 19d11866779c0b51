using HmacPortal.Engine.Health;

namespace HmacPortal.Tests.Engine.Health;

public sealed class NativeHeapTests
{
    [Fact]
    public void LimitArenas_OnGlibc_IsTakenByTheCLibrary()
    {
        Assert.True(OperatingSystem.IsLinux());
        Assert.Null(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

        Assert.True(NativeHeap.LimitArenas());
    }
}
