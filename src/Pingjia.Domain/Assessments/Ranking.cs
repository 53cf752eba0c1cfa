namespace Pingjia.Domain.Assessments;

/// <summary>A unit's place within its level: rank on the published total under the scheme's tie rule, and its grade.</summary>
public sealed record RankedResult(string Unit, int Rank, string? Grade, ScoreResult Result);

/// <summary>One unit of a round: its leaf inputs, its level and parent (for composition across units), its weight among its siblings, its category and flagged events.</summary>
public sealed record RoundUnit(
    string Unit, IReadOnlyDictionary<string, LeafInput> Inputs, string? Level = null, string? Parent = null, decimal Weight = 1,
    string? Category = null, IReadOnlyList<string>? Flags = null);

/// <summary>Ranks, grades and whole rounds.</summary>
public static class Ranking
{
    /// <summary>
    /// Ranks on the published (rounded) total: equal totals are separated by the tie rule's nodes (their published value
    /// where published, else their value), then share a rank (competition 1, 2, 2, 4 or dense 1, 2, 2, 3). Grades by
    /// quota go to the best positions, a tie at the limit taking the quota grade together; the rest are graded by bands.
    /// </summary>
    public static IReadOnlyList<RankedResult> Rank(IEnumerable<(string Unit, ScoreResult Result)> results, TieRule? ties = null,
        IReadOnlyList<GradeQuota>? quotas = null, IReadOnlyList<GradeBand>? bands = null)
    {
        ties ??= TieRule.Default;
        var rows = results.Select(r => (r.Unit, r.Result, Keys: Keys(r.Result, ties))).ToList();
        rows.Sort((a, b) =>
        {
            var c = Compare(b.Keys, a.Keys);
            return c != 0 ? c : string.CompareOrdinal(a.Unit, b.Unit);
        });
        var ranked = new List<RankedResult>(rows.Count);
        var positions = new int[rows.Count];
        var dense = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var tied = i > 0 && Compare(rows[i].Keys, rows[i - 1].Keys) == 0;
            positions[i] = tied ? positions[i - 1] : i + 1;
            dense = tied ? dense : dense + 1;
            var rank = ties.Mode == TieMode.Dense ? dense : positions[i];
            ranked.Add(new RankedResult(rows[i].Unit, rank, rows[i].Result.Grade, rows[i].Result));
        }

        if (quotas is { Count: > 0 })
        {
            var limit = 0;
            var graded = new bool[rows.Count];
            foreach (var q in quotas)
            {
                limit += Math.Max(1, (int)Math.Floor(q.Share * rows.Count));
                for (var i = 0; i < rows.Count; i++)
                {
                    if (!graded[i] && positions[i] <= limit && (q.MinScore is null || rows[i].Result.Total >= q.MinScore))
                    {
                        graded[i] = true;
                        ranked[i] = ranked[i] with { Grade = q.Name };
                    }
                }
            }

            for (var i = 0; i < rows.Count; i++)
            {
                if (!graded[i])
                {
                    ranked[i] = ranked[i] with { Grade = Scoring.Grade(bands ?? [], rows[i].Result.Total) };
                }
            }
        }

        return ranked;
    }

    /// <summary>
    /// Scores a whole round: subordinate units first, so that a unit's subunit nodes see their totals; then ranks and
    /// grades each level apart. Unknown parents, duplicate units and parent cycles are rejected.
    /// </summary>
    public static IReadOnlyList<RankedResult> Compute(Scheme scheme, IReadOnlyList<RoundUnit> units)
    {
        var byName = new Dictionary<string, RoundUnit>(units.Count, StringComparer.Ordinal);
        foreach (var u in units)
        {
            if (string.IsNullOrWhiteSpace(u.Unit) || !byName.TryAdd(u.Unit, u))
            {
                throw new DomainException(ErrorKind.Validation, "duplicate_unit", $"The unit '{u.Unit}' is empty or appears twice.");
            }

            if (u.Weight < 0)
            {
                throw new DomainException(ErrorKind.Validation, "invalid_input", $"{u.Unit}: a unit's weight is not negative.");
            }
        }

        var children = new Dictionary<string, List<RoundUnit>>(StringComparer.Ordinal);
        foreach (var u in units.Where(u => u.Parent is not null))
        {
            if (!byName.ContainsKey(u.Parent!))
            {
                throw new DomainException(ErrorKind.Validation, "unknown_parent", $"{u.Unit}: the parent unit '{u.Parent}' is not in the round.");
            }

            (children.TryGetValue(u.Parent!, out var list) ? list : children[u.Parent!] = []).Add(u);
        }

        // Heights bottom-up (a unit with no subordinates is 0), rejecting parent cycles; each height is one layer.
        var index = new Dictionary<string, int>(units.Count, StringComparer.Ordinal);
        for (var i = 0; i < units.Count; i++)
        {
            index[units[i].Unit] = i;
        }

        var height = new int[units.Count];
        var state = new byte[units.Count]; // 0 new, 1 in progress, 2 done
        for (var i = 0; i < units.Count; i++)
        {
            Height(i);
        }

        var results = new ScoreResult[units.Count];
        var errors = new DomainException?[units.Count];
        foreach (var layer in Enumerable.Range(0, units.Count).GroupBy(i => height[i]).OrderBy(g => g.Key))
        {
            var members = layer.ToArray();
            // Units of one layer depend only on lower layers: scored in parallel, each into its own slot, so the outcome
            // does not depend on the order of the threads.
            Parallel.For(0, members.Length, k =>
            {
                var i = members[k];
                var u = units[i];
                List<SubunitTotal>? subs = null;
                foreach (var c in children.GetValueOrDefault(u.Unit) ?? [])
                {
                    var r = results[index[c.Unit]];
                    if (r is null)
                    {
                        return; // a subordinate failed; its error is reported
                    }

                    (subs ??= []).Add(new SubunitTotal(c.Unit, c.Level, r.Unrounded, scheme.Level(c.Level).Root.Points, c.Weight));
                }

                try
                {
                    results[i] = Scoring.Score(scheme, u.Inputs, new UnitContext(u.Category, u.Flags, subs), u.Level);
                }
                catch (DomainException e) when (e.Kind == ErrorKind.Validation)
                {
                    errors[i] = new DomainException(e.Kind, e.Code, $"{u.Unit}: {e.Message}", e.Errors);
                }
            });
            if (Array.Find(errors, e => e is not null) is { } first)
            {
                throw first;
            }
        }

        var ranked = new List<RankedResult>(units.Count);
        foreach (var group in Enumerable.Range(0, units.Count).GroupBy(i => units[i].Level ?? "", StringComparer.Ordinal))
        {
            var level = scheme.Level(group.Key);
            ranked.AddRange(Rank(group.Select(i => (units[i].Unit, results[i])), scheme.Ties, level.Quotas, level.Grades));
        }

        return ranked;

        int Height(int i)
        {
            if (state[i] == 2)
            {
                return height[i];
            }

            if (state[i] == 1)
            {
                throw new DomainException(ErrorKind.Validation, "unit_cycle", $"{units[i].Unit}: the units' parents form a cycle.");
            }

            state[i] = 1;
            var h = 0;
            foreach (var c in children.GetValueOrDefault(units[i].Unit) ?? [])
            {
                h = Math.Max(h, Height(index[c.Unit]) + 1);
            }

            state[i] = 2;
            return height[i] = h;
        }
    }

    private static decimal[] Keys(ScoreResult r, TieRule ties)
    {
        var keys = new decimal[1 + ties.Tiebreak.Count];
        keys[0] = r.Total;
        for (var i = 0; i < ties.Tiebreak.Count; i++)
        {
            var n = Find(r.Tree, ties.Tiebreak[i]);
            keys[i + 1] = n is null ? decimal.MinValue : n.Rounded ?? n.Value;
        }

        return keys;
    }

    private static int Compare(decimal[] a, decimal[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>The node with <paramref name="code"/> in a result tree, or null.</summary>
    public static NodeScore? Find(NodeScore node, string code)
    {
        if (node.Code == code)
        {
            return node;
        }

        foreach (var c in node.Children)
        {
            if (Find(c, code) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
