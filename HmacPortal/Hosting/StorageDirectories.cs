using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Metadata;
using HmacPortal.Engine.Storage;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// Creates the data directory, and the storage directory of a server that has none yet, before
/// anything uses them; fails start-up if it cannot. Storage that is there but is not the volume
/// the records describe does not stop the server: it answers 503 where the files are needed until
/// the volume is back (<see cref="StorageVolumeGuard"/>).
/// </summary>
internal sealed class StorageDirectories(IOptions<ServerOptions> options, StorageVolumeGuard guard, IMetadataStore metadata) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var data = Directory.CreateDirectory(options.Value.DataPath);
        // The metadata and session files are nobody else's business.
        data.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        // One page of one record (its count comes along), not a stream of them all: a reader left
        // early still receives every row from PostgreSQL.
        var recorded = (await metadata.QueryAsync(new FileQuery(Take: 1), cancellationToken).ConfigureAwait(false)).Items.Count > 0;
        guard.Prepare(recorded);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
