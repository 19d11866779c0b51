namespace HmacPortal.Engine.Configuration;

/// <summary>The <c>[uploads]</c> table.</summary>
public sealed class UploadsOptions
{
    public const string Section = "Uploads";

    public List<string> AllowedExtensions { get; set; } = [];

    public bool ResumableUploadsEnabled { get; set; } = true;

    public string ResumablePath { get; set; } = "/files/";

    public bool AnonymousResumable { get; set; }

    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(24);

    public bool ChunkedUploadsEnabled { get; set; } = true;

    public ByteSize ChunkSize { get; set; } = new(10L << 20);

    public int MaxRetries { get; set; } = 5;
}
