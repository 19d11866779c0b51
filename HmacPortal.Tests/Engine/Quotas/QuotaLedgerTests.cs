using HmacPortal.Engine.Quotas;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Quotas;

public sealed class QuotaLedgerTests : IDisposable
{
    private readonly PortalWorld _world = new();

    [Fact]
    public async Task Holds_ManyAtOnce_NeverTogetherExceedTheQuota_AndAllAreGivenBack()
    {
        await _world.StoreAsync("s/old.bin", "bob", new byte[300]);

        var holds = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _world.Quotas.TryHoldAsync("bob", 1000, 100, CancellationToken.None))));

        Assert.Equal(7, holds.Count(h => h is not null));
        Assert.Equal(1000, await _world.Quotas.UsedAsync("bob", CancellationToken.None));
        foreach (var hold in holds)
        {
            hold?.Dispose();
            hold?.Dispose();
        }

        Assert.Equal(0, _world.Quotas.ReservedTotal);
        Assert.Equal(300, await _world.Quotas.UsedAsync("bob", CancellationToken.None));
    }

    [Fact]
    public async Task Land_AReservationDecidedMeanwhile_WaitsAndCountsTheFileOnce()
    {
        var hold = await _world.Quotas.TryHoldAsync("bob", 1500, 1000, CancellationToken.None);
        Assert.NotNull(hold);
        var recording = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var carryOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var land = _world.Quotas.LandAsync(hold, async () =>
        {
            recording.SetResult();
            await carryOn.Task;
            await _world.StoreAsync("s/landed.bin", "bob", new byte[1000]);
            return true;
        });
        await recording.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var meanwhile = _world.Quotas.TryHoldAsync("bob", 1500, 500, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(meanwhile.IsCompleted);

        carryOn.SetResult();
        Assert.True(await land.WaitAsync(TimeSpan.FromSeconds(10)));
        using var second = await meanwhile.WaitAsync(TimeSpan.FromSeconds(10));

        // The landed file counts once: 500 more fit, and nothing beyond.
        Assert.NotNull(second);
        Assert.Null(await _world.Quotas.TryHoldAsync("bob", 1500, 1, CancellationToken.None));
        Assert.Equal(1500, await _world.Quotas.UsedAsync("bob", CancellationToken.None));
    }

    [Fact]
    public async Task Holds_OfOneOwner_LeaveOthersAlone()
    {
        using var bob = await _world.Quotas.TryHoldAsync("bob", 100, 100, CancellationToken.None);

        using var carol = await _world.Quotas.TryHoldAsync("carol", 100, 100, CancellationToken.None);

        Assert.NotNull(bob);
        Assert.NotNull(carol);
        Assert.Null(await _world.Quotas.TryHoldAsync("BOB", 100, 1, CancellationToken.None));
    }

    [Fact]
    public void Policy_AdminOverrideBeatsConfigBeatsDefault_AndAnAddressMatchesEjabberdsDirectory()
    {
        _world.QuotaOptions.Default = new global::HmacPortal.Engine.Configuration.ByteSize(1000);
        _world.QuotaOptions.Custom["alice@example.org"] = "5KB";
        const string ejabberdDirectory = "f7b4e4a89ab1ee4dd8cfbd4b0a0c8e4e1b0d1c1a";
        var aliceDirectory = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([1])); // not SHA-1: no match

        Assert.Equal(new QuotaLimit(1000, QuotaSource.Default), _world.QuotaPolicy.LimitFor("carol"));
        Assert.Equal(new QuotaLimit(5 << 10, QuotaSource.Config), _world.QuotaPolicy.LimitFor("alice@example.org"));
        Assert.Equal(new QuotaLimit(5 << 10, QuotaSource.Config), _world.QuotaPolicy.LimitFor(Sha1("Alice@Example.org")));
        Assert.Equal(QuotaSource.Default, _world.QuotaPolicy.LimitFor(aliceDirectory).Source);
        Assert.Equal(QuotaSource.Default, _world.QuotaPolicy.LimitFor(ejabberdDirectory).Source);

        _world.QuotaPolicy.SetOverride("alice@example.org", 42, "test");
        Assert.Equal(new QuotaLimit(42, QuotaSource.Admin), _world.QuotaPolicy.LimitFor("alice@example.org"));
        Assert.True(_world.QuotaPolicy.RemoveOverride("alice@example.org", "test"));
        Assert.Equal(QuotaSource.Config, _world.QuotaPolicy.LimitFor("alice@example.org").Source);
        Assert.Equal(new QuotaLimit(77, QuotaSource.Portal), _world.QuotaPolicy.LimitFor("dave", fallback: 77));
    }

#pragma warning disable CA5350
    private static string Sha1(string address) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(address.ToLowerInvariant())));
#pragma warning restore CA5350

    public void Dispose() => _world.Dispose();
}
