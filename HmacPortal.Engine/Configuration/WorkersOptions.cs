namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[workers]</c> table: the post-processing queue and the workers that empty it.</summary>
public sealed class WorkersOptions
{
    public const string Section = "Workers";

    public int NumWorkers { get; set; } = 2;

    public int UploadQueueSize { get; set; } = 100;

    public bool AutoAdjustWorkers { get; set; }

    public int MaxWorkers { get; set; } = 8;
}
