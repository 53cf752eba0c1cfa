namespace Pingjia.Domain.Assessments;

/// <summary>An input for a leaf, with who entered it and when (provenance shown in explanations).</summary>
public sealed record LeafInput(
    decimal? Value = null, IReadOnlyDictionary<string, decimal>? Counts = null, IReadOnlyList<string>? Passed = null,
    IReadOnlyList<int>? PerPeriod = null, string? EnteredBy = null, DateTime? EnteredAt = null,
    IReadOnlyDictionary<string, decimal>? BySource = null, IReadOnlyList<string>? Flags = null);

/// <summary>The score of one node and how it came about: the tree of contributions.</summary>
public sealed record NodeScore(
    string Code, string Name, string Method, decimal Points, decimal? Raw, decimal Value, bool Missing, IReadOnlyList<string> Notes,
    LeafInput? Input, IReadOnlyList<NodeScore> Children);

/// <summary>A unit's result under one scheme version: the total (rounded once), its grade, and the explanation tree.</summary>
public sealed record ScoreResult(string SchemeCode, int SchemeVersion, decimal Total, decimal Unrounded, string? Grade, NodeScore Tree);

/// <summary>
/// Scores a unit under a scheme. Arithmetic in decimal; values are clamped to [0, points] unless a node is uncapped;
/// missing data follows each node's policy; rounding happens once, on the published total.
/// </summary>
public static class Scoring
{
    public static ScoreResult Score(Scheme scheme, IReadOnlyDictionary<string, LeafInput> inputs)
    {
        var tree = Node(scheme.Root, inputs, scheme.Root.Code);
        var total = scheme.Rounding.Apply(tree.Value);
        var grade = scheme.Grades.OrderByDescending(g => g.Min).FirstOrDefault(g => total >= g.Min)?.Name;
        return new ScoreResult(scheme.Code, scheme.Version, total, tree.Value, grade, tree);
    }

    private static NodeScore Node(SchemeNode node, IReadOnlyDictionary<string, LeafInput> inputs, string path) =>
        node.IsLeaf ? Leaf(node, inputs.GetValueOrDefault(node.Code), path) : Inner(node, inputs, path);

    private static NodeScore Inner(SchemeNode node, IReadOnlyDictionary<string, LeafInput> inputs, string path)
    {
        var children = node.Children.Select(c => Node(c, inputs, $"{path}.{c.Code}")).ToList();
        var notes = new List<string>();
        var present = children.Where(c => !c.Missing).ToList();
        var sum = present.Sum(c => c.Value);
        decimal value;
        var missingRenormalised = children.Where((c, i) => c.Missing && node.Children[i].Missing == MissingPolicy.Renormalise).ToList();
        if (missingRenormalised.Count > 0)
        {
            // The missing children's points are spread over the present ones in proportion: the node keeps its full scale.
            var presentPoints = present.Sum(c => c.Points);
            value = presentPoints == 0 ? 0 : sum * node.Points / presentPoints;
            notes.Add($"缺少 {string.Join("、", missingRenormalised.Select(c => c.Name))} 的数据，按其余 {presentPoints} 分折算到 {node.Points} 分 / renormalised over the present children.");
        }
        else
        {
            value = sum;
        }

        if (!node.Uncapped && value > node.Points)
        {
            notes.Add($"超过满分 {node.Points}，按满分计 / capped at {node.Points}.");
            value = node.Points;
        }

        return new NodeScore(node.Code, node.Name, "sum", node.Points, sum, value, present.Count == 0 && children.Count > 0, notes, null, children);
    }

    private static NodeScore Leaf(SchemeNode node, LeafInput? input, string path)
    {
        var notes = new List<string>();
        if (input is null)
        {
            switch (node.Missing)
            {
                case MissingPolicy.Fail:
                    throw new DomainException(ErrorKind.Validation, "missing_input", $"{path}: no input for {node.Name} and its policy is to fail.");
                case MissingPolicy.Zero:
                    notes.Add("无数据，按 0 分计 / no data, counted as 0.");
                    return new NodeScore(node.Code, node.Name, node.Method!.Name, node.Points, null, 0, false, notes, null, []);
                default:
                    notes.Add("无数据，由上级按其余指标折算 / no data, renormalised by the parent.");
                    return new NodeScore(node.Code, node.Name, node.Method!.Name, node.Points, null, 0, true, notes, null, []);
            }
        }

        var raw = node.Method switch
        {
            ManualScore => input.Value ?? throw Missing(path, "value"),
            Checklist c => c.Items.Where(i => (input.Passed ?? []).Contains(i.Code)).Sum(i => i.Points),
            Deductions d => node.Points - d.Rules.Sum(r => Deduct(r, input, notes)),
            PerItem p => p.Categories.Sum(cat => (input.Counts?.GetValueOrDefault(cat.Code) ?? 0) * cat.PointsEach),
            Quota q => node.Points - (q.PenaltyPerMissing * (input.PerPeriod ?? throw Missing(path, "perPeriod")).Sum(n => Math.Max(0, q.RequiredPerPeriod - n))),
            FigureScore => node.Points * (input.Value ?? throw Missing(path, "value")),
            MultiSource m => Combine(m, input, notes, path),
            _ => throw new InvalidOperationException($"{path}: unknown method."),
        };
        var value = raw;
        if (node.Zero is { } zero && ZeroApplies(zero, input) is { } why)
        {
            notes.Add($"{why}，本项计 0 分 / zero rule applied.");
            return new NodeScore(node.Code, node.Name, node.Method!.Name, node.Points, raw, 0, false, notes, input, []);
        }

        if (value < 0)
        {
            notes.Add("扣完为止，最低 0 分 / floored at 0.");
            value = 0;
        }

        if (!node.Uncapped && value > node.Points)
        {
            notes.Add($"超过满分 {node.Points}，按满分计 / capped at {node.Points}.");
            value = node.Points;
        }

        return new NodeScore(node.Code, node.Name, node.Method!.Name, node.Points, raw, value, false, notes, input, []);
    }

    private static decimal Deduct(DeductionRule rule, LeafInput input, List<string> notes)
    {
        var deduction = (input.Counts?.GetValueOrDefault(rule.Code) ?? 0) * rule.Each;
        if (rule.Cap is { } cap && deduction > cap)
        {
            notes.Add($"{rule.Name} 扣分 {deduction} 超过该项上限 {cap}，按 {cap} 扣 / deduction capped by its item.");
            deduction = cap;
        }

        return deduction;
    }

    private static decimal Combine(MultiSource m, LeafInput input, List<string> notes, string path)
    {
        var given = m.Sources.Where(s => input.BySource?.ContainsKey(s.Source) == true).ToList();
        if (given.Count == 0)
        {
            throw Missing(path, "bySource");
        }

        var sum = given.Sum(s => s.Weight * input.BySource![s.Source]);
        var missing = m.Sources.Except(given).ToList();
        if (missing.Count == 0)
        {
            return sum / m.Sources.Sum(s => s.Weight);
        }

        notes.Add(m.RenormaliseMissing
            ? $"缺少 {string.Join("、", missing.Select(s => s.Source))} 的评分，按其余来源的权重折算 / missing sources left out, weights renormalised."
            : $"缺少 {string.Join("、", missing.Select(s => s.Source))} 的评分，按 0 分计 / missing sources counted as zero.");
        return sum / (m.RenormaliseMissing ? given.Sum(s => s.Weight) : m.Sources.Sum(s => s.Weight));
    }

    private static string? ZeroApplies(ZeroRule rule, LeafInput input)
    {
        if (rule.Flags.FirstOrDefault(f => input.Flags?.Contains(f) == true) is { } flag)
        {
            return $"出现“{flag}”";
        }

        if (rule.ConsecutiveEmptyPeriods is { } n && input.PerPeriod is { } periods)
        {
            var run = 0;
            foreach (var count in periods)
            {
                run = count == 0 ? run + 1 : 0;
                if (run >= n)
                {
                    return $"连续 {n} 个周期无报送";
                }
            }
        }

        return null;
    }

    private static DomainException Missing(string path, string field) =>
        new(ErrorKind.Validation, "missing_input", $"{path}: the input lacks '{field}'.");
}
