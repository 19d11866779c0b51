using System.Collections.Concurrent;
using HmacPortal.Engine.Processing;

namespace HmacPortal.Tests.Support;

/// <summary>Stands in for the job server: remembers what the processing queue handed over.</summary>
public sealed class RecordingOverflow : IProcessingOverflow
{
    public ConcurrentQueue<string> Handed { get; } = new();

    public bool Fail { get; set; }

    public void Hand(string path)
    {
        if (Fail)
        {
            throw new InvalidOperationException("the job storage is unavailable");
        }

        Handed.Enqueue(path);
    }
}
