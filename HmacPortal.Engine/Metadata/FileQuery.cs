namespace HmacPortal.Engine.Metadata;

public enum FileSort
{
    Newest,
    Oldest,
    Largest,
    Smallest,
    Name,
}

/// <summary>One page of the file list: a search over path and owner, an order, and a window.</summary>
/// <param name="Owner">When set, only this owner's files.</param>
/// <param name="TypePrefix">When set, only files whose content type starts with it (e.g. <c>image/</c>).</param>
/// <param name="MinSize">When set, only files at least this large.</param>
/// <param name="UploadedAfter">When set, only files uploaded after this time.</param>
public sealed record FileQuery(
    string? Search = null, FileSort Sort = FileSort.Newest, int Skip = 0, int Take = 25, string? Owner = null, string? TypePrefix = null, long? MinSize = null,
    DateTimeOffset? UploadedAfter = null);

/// <summary>The records of one page and how many match in all.</summary>
public sealed record FilePage(IReadOnlyList<FileRecord> Items, int Total);
