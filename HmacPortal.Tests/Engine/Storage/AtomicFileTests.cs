using HmacPortal.Engine.Storage;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void TryCreate_NewFile_WritesWithOwnerOnlyModeAndLeavesNoTemp()
    {
        var path = _dir.Combine("config.toml");

        Assert.True(AtomicFile.TryCreate(path, "secret = \"x\"\n", AtomicFile.OwnerOnly));

        Assert.Equal("secret = \"x\"\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["config.toml"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void TryCreate_ExistingFile_LeavesItUntouched()
    {
        var path = _dir.Write("config.toml", "original");

        Assert.False(AtomicFile.TryCreate(path, "replacement", AtomicFile.OwnerOnly));

        Assert.Equal("original", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void WriteAllText_ExistingFile_ReplacesIt()
    {
        var path = _dir.Write("app.pid", "1");

        AtomicFile.WriteAllText(path, "2", AtomicFile.OwnerOnly);

        Assert.Equal("2", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task TryCreate_ManyRacingCreators_ExactlyOneWins()
    {
        var path = _dir.Combine("race.txt");
        using var start = new Barrier(8);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(10));
            return (Won: AtomicFile.TryCreate(path, $"writer {i}", AtomicFile.OwnerOnly), Id: i);
        })));

        var winner = Assert.Single(results, r => r.Won);
        Assert.Equal($"writer {winner.Id}", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void NoReplaceRename_TargetExists_ReturnsFalseAndKeepsBoth()
    {
        var source = _dir.Write("a", "new");
        var target = _dir.Write("b", "old");

        Assert.False(NoReplaceRename.TryMove(source, target));

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal("new", File.ReadAllText(source));
    }

    [Fact]
    public void NoReplaceRename_FreeTarget_Moves()
    {
        var source = _dir.Write("a", "data");
        var target = _dir.Combine("b");

        Assert.True(NoReplaceRename.TryMove(source, target));

        Assert.False(File.Exists(source));
        Assert.Equal("data", File.ReadAllText(target));
    }

    public void Dispose() => _dir.Dispose();
}
