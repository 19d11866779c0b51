using System.Runtime.InteropServices;
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

    [Fact]
    public void Trim_AfterNativeMemoryIsFreedBetweenBlocksStillInUse_GivesPagesBack()
    {
        // Every other 64 KiB block freed: holes the C library cannot shrink its heap past by itself.
        var ones = new byte[64 * 1024];
        Array.Fill(ones, (byte)1);
        var blocks = new nint[4096];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(ones.Length);
            Marshal.Copy(ones, 0, blocks[i], ones.Length);
        }

        for (var i = 0; i < blocks.Length; i += 2)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        try
        {
            Assert.True(NativeHeap.Trim());
        }
        finally
        {
            for (var i = 1; i < blocks.Length; i += 2)
            {
                Marshal.FreeHGlobal(blocks[i]);
            }
        }
    }
}
