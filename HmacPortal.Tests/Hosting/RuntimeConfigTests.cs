using System.Text.Json;

namespace HmacPortal.Tests.Hosting;

public sealed class RuntimeConfigTests
{
    [Fact]
    public void Server_ShipsWithConcurrentWorkstationGc_TheSettingItsFiguresAreMeasuredWith()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HmacPortal.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }

    [Fact]
    public void Server_ShipsWithAThreadPoolMinimumOf64_SoUploadsWaitingInFsyncDoNotStarveThePool()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HmacPortal.runtimeconfig.json")));

        Assert.Equal(64, config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.Threading.ThreadPool.MinThreads").GetInt32());
    }
}
