using System.Text.RegularExpressions;
using HmacPortal.Tests.Support;

namespace HmacPortal.Tests.Docs;

/// <summary>docs/STABILITY_AUDIT.md names, for every risk, the test that proves it: those tests must exist.</summary>
public sealed partial class StabilityAuditTests
{
    [Fact]
    public void EveryRisk_NamesAProof_AndEveryLinkedTestExists()
    {
        var docs = RepositoryFiles.PathOf("docs");
        var rows = File.ReadAllLines(Path.Combine(docs, "STABILITY_AUDIT.md"))
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| risk ", StringComparison.Ordinal))
            .ToList();
        Assert.True(rows.Count >= 50, $"only {rows.Count} risks found");

        var problems = new List<string>();
        var named = 0;
        foreach (var row in rows)
        {
            var cells = row.Trim().Trim('|').Split(" | ");
            var proof = cells[^1];
            var links = Link().Matches(proof);
            if (!links.Any(l => l.Groups["target"].Value.StartsWith("../HmacPortal", StringComparison.Ordinal) || l.Groups["target"].Value.StartsWith("../bench", StringComparison.Ordinal)))
            {
                problems.Add($"no test or benchmark named for: {cells[0]}");
            }

            foreach (Match link in links)
            {
                var target = Path.GetFullPath(Path.Combine(docs, link.Groups["target"].Value.Split('#')[0]));
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    problems.Add($"{link.Groups["target"].Value} does not exist");
                    continue;
                }

                foreach (Capture method in link.Groups["method"].Captures)
                {
                    named++;
                    if (!Regex.IsMatch(File.ReadAllText(target), $@"\b(Task|void) {method.Value}\("))
                    {
                        problems.Add($"{link.Groups["target"].Value} has no test {method.Value}");
                    }
                }
            }

            if (Link().Replace(proof, string.Empty).Contains("::", StringComparison.Ordinal))
            {
                problems.Add($"a test named without its file in: {cells[0]}");
            }
        }

        Assert.Empty(problems);
        Assert.True(named >= 80, $"only {named} tests named");
    }

    [GeneratedRegex(@"\[[^\]]+\]\((?<target>[^)]+)\)(?:,?\s*::(?<method>\w+))*")]
    private static partial Regex Link();
}
