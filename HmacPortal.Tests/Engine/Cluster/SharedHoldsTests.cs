using HmacPortal.Engine.Cluster;
using HmacPortal.Engine.Quotas;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Cluster;

/// <summary>Quota reservations of uploads in progress, counted across two nodes sharing a Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedHoldsTests(RedisServer redis) : IDisposable
{
    private readonly PortalWorld _world = new();
    private readonly List<IDisposable> _owned = [];
    private readonly string _prefix = "q" + Guid.NewGuid().ToString("N")[..8] + ":";

    public void Dispose()
    {
        _owned.ForEach(o => o.Dispose());
        _world.Dispose();
    }

    /// <summary>A node's ledger: its own connection and gate, the shared database and sessions of the world.</summary>
    private async Task<QuotaLedger> NodeAsync()
    {
        var connection = await redis.ConnectAsync(_prefix);
        _owned.Add(connection);

        var ledger = new QuotaLedger(_world.Metadata, _world.Sessions, _world.Clock, new SharedHolds(connection));
        _owned.Add(ledger);
        return ledger;
    }

    [Fact]
    public async Task UploadsRacingOnTwoNodes_NeverHoldMoreThanTheQuota_AndReleasingGivesTheRoomBack()
    {
        var first = await NodeAsync();
        var second = await NodeAsync();

        var holds = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).TryHoldAsync("dave", 1000, 100, CancellationToken.None))));

        Assert.Equal(10, holds.Count(h => h is not null));
        Assert.Equal(1000, await second.UsedAsync("dave", CancellationToken.None));
        Assert.Equal(1000, first.ReservedTotal);
        Assert.Null(await first.TryHoldAsync("DAVE", 1000, 1, CancellationToken.None));

        foreach (var hold in holds)
        {
            hold?.Dispose();
        }

        Assert.Equal(0, await first.UsedAsync("dave", CancellationToken.None));
        Assert.NotNull(await second.TryHoldAsync("dave", 1000, 1000, CancellationToken.None));
    }
}
