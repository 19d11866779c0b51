using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Sharing;
using HmacPortal.Hosting;
using HmacPortal.Tests.Engine.Metadata;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Hosting;

[Collection(PostgresCollection.Name)]
public sealed class MigrateMetadataTests(PostgresServer server) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliCommands.Run(CommandLine.Parse(args), new StringReader(string.Empty), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task MigrateMetadata_CopiesTheNodesSqliteIntoPostgres_ThenRefusesToCopyAgain()
    {
        using (await DatabaseContractTests.FilledSqliteAsync(_dir.Combine("state")))
        {
        }

        var target = server.NewDatabase();
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path, $"[database]\nengine = \"postgresql\"\nconnection_string = \"{target}\"\n"));

        var (exit, output, error) = Run("--migrate-metadata", "--config", config);

        Assert.True(exit == 0, error);
        Assert.Contains("files: 2 row(s)", output, StringComparison.Ordinal);
        Assert.Contains("audit: 2 row(s)", output, StringComparison.Ordinal);
        using (var postgres = new PostgresDatabase(target))
        {
            Assert.NotNull(await new SqlMetadataStore(postgres).GetAsync("a/2.txt", CancellationToken.None));
            Assert.Equal(["a/1.png", "a/2.txt"], Assert.Single(new ShareStore(postgres).ListAll(10)).Files);
        }

        var (again, _, refused) = Run("--migrate-metadata", "--config", config);
        Assert.Equal(1, again);
        Assert.Contains("nothing was copied", refused, StringComparison.Ordinal);
        Assert.Contains("already has rows", refused, StringComparison.Ordinal);
    }

    [Fact]
    public void MigrateMetadata_WithoutPostgresConfigured_SaysWhatToSet()
    {
        var config = _dir.Write("config.toml", TestFiles.MinimalConfig(_dir.Path));

        var (exit, _, error) = Run("--migrate-metadata", "--config", config);

        Assert.Equal(1, exit);
        Assert.Contains("engine = \"postgresql\"", error, StringComparison.Ordinal);
    }
}
