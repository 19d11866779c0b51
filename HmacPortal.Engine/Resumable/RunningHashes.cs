using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HmacPortal.Engine.Resumable;

/// <summary>
/// The SHA-256 of each upload's bytes so far, kept in memory between PATCHes so completion need
/// not read the whole file again. A hash is only used when it covers exactly the upload's bytes;
/// anything that breaks that (a restart, a discarded chunk) drops it and completion re-reads.
/// </summary>
public sealed class RunningHashes
{
    private readonly ConcurrentDictionary<string, Entry> _hashes = new(StringComparer.Ordinal);

    /// <summary>The hash of an upload whose first <paramref name="position"/> bytes it covers, or a new one at position 0.</summary>
    public Entry? For(UploadId id, long position)
    {
        if (_hashes.TryGetValue(id.Value, out var entry) && entry.Position == position)
        {
            return entry;
        }

        Drop(id);
        if (position != 0)
        {
            return null;
        }

        entry = new Entry();
        _hashes[id.Value] = entry;
        return entry;
    }

    public void Drop(UploadId id)
    {
        if (_hashes.TryRemove(id.Value, out var entry))
        {
            entry.Dispose();
        }
    }

    /// <summary>A running hash and how many bytes it has seen.</summary>
    public sealed class Entry : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long Position { get; private set; }

        public void Append(ReadOnlySpan<byte> block)
        {
            _hash.AppendData(block);
            Position += block.Length;
        }

        public string Finish() => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public void Dispose() => _hash.Dispose();
    }
}
