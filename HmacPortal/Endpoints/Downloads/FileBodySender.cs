using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace HmacPortal.Endpoints.Downloads;

/// <summary>
/// Sends file ranges by reading large chunks straight into the response pipe. Kestrel has no
/// zero-copy sendfile and its fallback copies through a small intermediate buffer; this keeps the
/// framework's file result (ranges, conditional requests, headers) and replaces only the copy.
/// </summary>
internal sealed class FileBodySender(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 256 * 1024;

    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var remaining = count ?? (RandomAccess.GetLength(file) - offset);
        await inner.StartAsync(cancellationToken);
        var writer = inner.Writer;
        while (remaining > 0)
        {
            var memory = writer.GetMemory(ChunkSize);
            var want = (int)Math.Min(memory.Length, remaining);
            var read = await RandomAccess.ReadAsync(file, memory[..want], offset, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the file became shorter while it was being sent");
            }

            writer.Advance(read);
            offset += read;
            remaining -= read;
            var flush = await writer.FlushAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }
}
