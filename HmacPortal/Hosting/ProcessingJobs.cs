using Hangfire;
using HmacPortal.Engine.Processing;

namespace HmacPortal.Hosting;

/// <summary>Processing the queue had no room for, run by Hangfire. A failure is not retried here: the catch-up job does it.</summary>
public sealed class ProcessingJobs(FileProcessor processor)
{
    [AutomaticRetry(Attempts = 0)]
    public Task ProcessAsync(string path, CancellationToken cancellationToken) => processor.ProcessAsync(path, cancellationToken);
}
