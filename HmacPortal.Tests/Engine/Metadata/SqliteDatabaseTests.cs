using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace HmacPortal.Tests.Engine.Metadata;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Open_ADatabaseOfTheFirstRelease_MigratesIt_KeepingItsRecords_AndOpeningAgainChangesNothing()
    {
        Directory.CreateDirectory(_dir.Path);
        using (var old = new SqliteConnection($"Data Source={_dir.Combine("metadata.db")};Pooling=false"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE files (path TEXT PRIMARY KEY NOT NULL, stored_path TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL,
                    sha256 TEXT, owner TEXT, protocol TEXT NOT NULL, client_address TEXT, created INTEGER NOT NULL, expires INTEGER,
                    downloads INTEGER NOT NULL DEFAULT 0, last_download INTEGER);
                INSERT INTO files (path, stored_path, size, content_type, protocol, created) VALUES ('a/old.bin', 'a/old.bin', 3, 'text/plain', 'v', 1000);
                """;
            command.ExecuteNonQuery();
        }

        var options = Options.Create(new ServerOptions { DataPath = _dir.Path });
        for (var open = 0; open < 2; open++)
        {
            using var database = new SqliteDatabase(options);
            var store = new SqlMetadataStore(database);

            var record = await store.GetAsync("a/old.bin", CancellationToken.None);
            Assert.NotNull(record);
            Assert.Null(record.Processed);
            Assert.False(record.Deduplicated);
            Assert.Equal(["a/old.bin"], await store.ListUnprocessedAsync(DateTimeOffset.FromUnixTimeMilliseconds(2000), null, 10, CancellationToken.None));
            using var lease = database.Borrow();
            using var version = lease.Command("PRAGMA user_version");
            Assert.Equal((long)SqliteDatabase.SchemaVersion, version.ExecuteScalar());
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
