using System.IO.Pipelines;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Resumable;
using HmacPortal.Engine.Signing;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Engine.Resumable;

public sealed class ChunkedUploadServiceTests : IDisposable
{
    private readonly PortalWorld _world = new();

    public ChunkedUploadServiceTests()
    {
        _world.Uploads.ChunkSize = new ByteSize(1024);
    }

    private async Task<UploadId> OpenAsync(string path, long size)
    {
        var mac = TestSigner.V(_world.Security.Secret, path, size);
        var opened = await _world.Chunked.CreateAsync(new ChunkedCreateRequest(path, size.ToString(System.Globalization.CultureInfo.InvariantCulture), null, new UploadCredentials(V: mac), "192.0.2.1", null));
        Assert.Equal(TusResult.Created, opened.Result);
        return UploadId.TryParse(opened.Session!.Id, out var id) ? id : throw new InvalidOperationException();
    }

    private Task<TusOutcome> WriteAsync(UploadId id, int number, byte[] data) =>
        _world.Chunked.WriteChunkAsync(new ChunkRequest(id.Value, number.ToString(System.Globalization.CultureInfo.InvariantCulture), data.Length, null), PipeReader.Create(new MemoryStream(data)), CancellationToken.None);

    [Fact]
    public async Task ChunkCutOff_IsDiscarded_CountsAsAFailure_AndCanBeSentAgain()
    {
        var body = SignedUploads.Body(2048, seed: 5);
        var id = await OpenAsync("room/cut.bin", body.Length);
        await using var dropped = new CutOffStream(body[..500]);

        var cut = await _world.Chunked.WriteChunkAsync(new ChunkRequest(id.Value, "0", 1024, null), PipeReader.Create(dropped), CancellationToken.None);

        Assert.Equal(TusResult.Interrupted, cut.Result);
        Assert.Contains("cut off after 500 of 1024 bytes", cut.Detail, StringComparison.Ordinal);
        var session = _world.Sessions.Get(id)!;
        Assert.Equal(0, session.Offset);
        Assert.Equal(1, session.ChunkFailures![0]);
        Assert.Equal(0, ChunkedUploadService.ReceivedCount(session));

        Assert.Equal(TusResult.Written, (await WriteAsync(id, 0, body[..1024])).Result);
        var done = await WriteAsync(id, 1, body[1024..]);

        Assert.True(done.Session!.Completed);
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(_world.Server.StoragePath, "room", "cut.bin")));
        var record = await _world.Metadata.GetAsync("room/cut.bin", CancellationToken.None);
        Assert.Equal("chunked", record!.Protocol);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), record.Sha256);
    }

    [Fact]
    public async Task ReceivedChunk_IsOnDiskBeforeItIsCounted_SoAFreshReadOfTheStoreSeesIt()
    {
        var body = SignedUploads.Body(3000, seed: 6);
        var id = await OpenAsync("room/durable.bin", body.Length);

        await WriteAsync(id, 1, body[1024..2048]);

        // What a restarted server would read: the sidecar and the data file.
        var session = _world.Sessions.Get(id)!;
        Assert.Equal(1, ChunkedUploadService.ReceivedCount(session));
        Assert.Equal(1024, session.Offset);
        var data = await File.ReadAllBytesAsync(_world.Sessions.DataPath(id));
        Assert.Equal(body[1024..2048], data[1024..2048]);
    }

    [Fact]
    public async Task Quota_IsHeldForTheWholeUploadWhenItsSessionOpens()
    {
        _world.QuotaOptions.Enabled = true;
        _world.QuotaOptions.Default = new ByteSize(4096);
        var owner = new string('a', 40);
        await OpenAsync($"{owner}/slot/first.bin", 3000);

        var path = $"{owner}/slot/second.bin";
        var second = await _world.Chunked.CreateAsync(new ChunkedCreateRequest(path, "2000", null, new UploadCredentials(V: TestSigner.V(_world.Security.Secret, path, 2000)), null, null));

        Assert.Equal(TusResult.QuotaExceeded, second.Result);
    }

    public void Dispose() => _world.Dispose();
}
