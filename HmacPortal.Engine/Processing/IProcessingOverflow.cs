namespace HmacPortal.Engine.Processing;

/// <summary>Where processing goes when the queue is full: the job server, which runs it as soon as it can.</summary>
public interface IProcessingOverflow
{
    /// <summary>Hands over the processing of <paramref name="path"/>; throws if it cannot be taken.</summary>
    void Hand(string path);
}
