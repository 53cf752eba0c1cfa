namespace Pingjia.Domain.Assessments;

/// <summary>
/// An input for a leaf, with who entered it and when, and where a fed figure came from (provenance shown in explanations).
/// <see cref="Values"/> feed formulas; <see cref="BySource"/> several sources; <see cref="ByPeriod"/> the measurements of several periods.
/// </summary>
public sealed record LeafInput(
    decimal? Value = null, IReadOnlyDictionary<string, decimal>? Counts = null, IReadOnlyList<string>? Passed = null,
    IReadOnlyList<int>? PerPeriod = null, string? EnteredBy = null, DateTime? EnteredAt = null,
    IReadOnlyDictionary<string, decimal>? BySource = null, IReadOnlyList<string>? Flags = null,
    IReadOnlyDictionary<string, decimal>? Values = null, IReadOnlyDictionary<string, decimal>? ByPeriod = null, string? Source = null);

/// <summary>
/// The score of one node and how it came about: the tree of contributions. <see cref="Raw"/> is before caps, floors
/// and zero rules; <see cref="Value"/> after them; <see cref="Extra"/> the part of the value that is bonus (or, when
/// negative, penalty); <see cref="Contribution"/> what the node adds to its parent; <see cref="Rounded"/> is set only
/// at published levels.
/// </summary>
public sealed record NodeScore(
    string Code, string Name, string Method, decimal Points, decimal? Weight, decimal? Raw, decimal Value, decimal Extra,
    decimal? Rounded, bool Missing, IReadOnlyList<string> Notes, LeafInput? Input, IReadOnlyList<NodeScore> Children)
{
    /// <summary>What this node adds to its parent's raw value (0 when missing); the root's is its value.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    public decimal Contribution { get; internal set; }
}

/// <summary>A unit's result under one scheme version: the total (rounded once), its grade, and the explanation tree.</summary>
public sealed record ScoreResult(string SchemeCode, int SchemeVersion, string? Level, decimal Total, decimal Unrounded, string? Grade, NodeScore Tree);

/// <summary>The total of a subordinate unit, for composition across units (unrounded, on its own tree's points).</summary>
public sealed record SubunitTotal(string Unit, string? Level, decimal Value, decimal Points, decimal Weight);

/// <summary>What the engine knows of the unit besides its leaf inputs: its category (for quotas), events flagged for it, its subordinate units' totals.</summary>
public sealed record UnitContext(string? Category = null, IReadOnlyList<string>? Flags = null, IReadOnlyList<SubunitTotal>? Subunits = null)
{
    public static readonly UnitContext None = new();
}

/// <summary>
/// Scores a unit under a scheme. Arithmetic in decimal; values are clamped to [0, points] unless a node is uncapped
/// or holds bonus points; missing data follows each node's policy; rounding happens only at published levels and on
/// the total, each from unrounded values (GB/T 8170: no successive rounding).
/// </summary>
public static class Scoring
{
    private static readonly string[] NoNotes = [];

    public static ScoreResult Score(Scheme scheme, IReadOnlyDictionary<string, LeafInput> inputs, UnitContext? unit = null, string? level = null)
    {
        var tree = scheme.Level(level);
        var ctx = new Context(scheme.Rounding, inputs, unit ?? UnitContext.None);
        NodeScore root;
        try
        {
            root = Node(tree.Root, tree.Root.Code, ctx);
        }
        catch (OverflowException)
        {
            throw new DomainException(ErrorKind.Validation, "value_out_of_range", "An input is too large to compute with.");
        }

        if (root.Missing)
        {
            throw new DomainException(ErrorKind.Validation, "missing_input", $"{tree.Root.Code}: no data at all for this unit.");
        }

        var total = scheme.Rounding.Apply(root.Value);
        root = root with { Rounded = total }; // the root is always a published level
        root.Contribution = root.Value;
        var grade = Grade(tree.Grades ?? [], total);
        return new ScoreResult(scheme.Code, scheme.Version, string.IsNullOrEmpty(level) ? null : level, total, root.Value, grade, root);
    }

    /// <summary>The band a published total falls in: the band with the highest minimum not above it.</summary>
    public static string? Grade(IReadOnlyList<GradeBand> bands, decimal total)
    {
        GradeBand? best = null;
        foreach (var b in bands)
        {
            if (total >= b.Min && (best is null || b.Min > best.Min))
            {
                best = b;
            }
        }

        return best?.Name;
    }

    private sealed class Context(Rounding rounding, IReadOnlyDictionary<string, LeafInput> inputs, UnitContext unit)
    {
        public Rounding Rounding { get; } = rounding;

        public IReadOnlyDictionary<string, LeafInput> Inputs { get; } = inputs;

        public UnitContext Unit { get; } = unit;

        /// <summary>Ancestors a zero rule below has marked, with the reason.</summary>
        public Dictionary<string, string>? ZeroTargets { get; set; }
    }

    private static NodeScore Node(SchemeNode node, string path, Context ctx) =>
        node.IsLeaf ? Leaf(node, path, ctx) : Inner(node, path, ctx);

    private static NodeScore Inner(SchemeNode node, string path, Context ctx)
    {
        var children = new NodeScore[node.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            var c = node.Children[i];
            children[i] = Node(c, c.Code, ctx); // codes are unique in a scheme: errors name the node by its code, without building paths
        }

        List<string>? notes = null;
        var weighted = node.Combine == Combine.Weighted;

        // What the present regular children stand for (points or weights): missing ones are renormalised away.
        decimal fullScale = 0, presentScale = 0;
        var anyPresent = false;
        for (var i = 0; i < children.Length; i++)
        {
            if (node.Children[i].Extra != 0)
            {
                anyPresent |= !children[i].Missing;
                continue;
            }

            var share = weighted ? node.Children[i].Weight ?? 0 : node.Children[i].Points;
            fullScale += share;
            if (!children[i].Missing)
            {
                presentScale += share;
                anyPresent = true;
            }
        }

        if (!anyPresent)
        {
            return Absent(node, path, weighted ? "weighted" : "sum", notes: null);
        }

        if (presentScale != fullScale)
        {
            notes = [$"缺少 {string.Join("、", children.Where((c, i) => c.Missing && node.Children[i].Extra == 0).Select(c => c.Name))} 的数据，按其余 {presentScale}{(weighted ? " 的权重" : " 分")} 折算 / renormalised over the present children."];
        }

        decimal regular = 0, extra = 0, raw = 0;
        for (var i = 0; i < children.Length; i++)
        {
            var c = children[i];
            if (c.Missing)
            {
                c.Contribution = 0;
                continue;
            }

            var own = c.Value - c.Extra;
            decimal part, bonus = c.Extra;
            if (node.Children[i].Extra != 0)
            {
                part = 0;
            }
            else if (weighted)
            {
                // 折算: the child's whole score, bonus included, is scaled from its points to its weighted share of this node's.
                var k = (node.Children[i].Weight ?? 0) / presentScale * node.Points / node.Children[i].Points;
                part = k * own;
                bonus = k * c.Extra;
            }
            else
            {
                // Present children worth 0 points cannot stand for the missing ones: they add their 0.
                part = presentScale == fullScale ? own : presentScale == 0 ? 0 : own * fullScale / presentScale;
            }

            c.Contribution = part + bonus;
            regular += part;
            extra += bonus;
            raw += c.Contribution;
        }

        // The raw total is the sum of the contributions exactly as shown; the cap bites on the regular part only.
        var capped = regular;
        var value = raw;
        if (!node.Uncapped && capped > node.Points)
        {
            (notes ??= []).Add($"超过满分 {node.Points}，按满分计 / capped at {node.Points}.");
            capped = node.Points;
            value = capped + extra;
        }

        if (value < 0)
        {
            (notes ??= []).Add("扣分超过得分，最低 0 分 / floored at 0.");
            value = 0;
        }

        var extraPart = value - capped;
        if (Zeroed(node, ctx, null) is { } why)
        {
            (notes ??= []).Add($"{why}，本项计 0 分 / zero rule applied.");
            value = 0;
            extraPart = 0;
        }

        // Bonus and penalty points pass up unscaled; the regular part (value − extra) is what a weighted parent scales.
        var method = weighted ? "weighted" : "sum";
        return new NodeScore(node.Code, node.Name, method, node.Points, node.Weight, raw, value, extraPart, Round(node, value, ctx),
            false, (IReadOnlyList<string>?)notes ?? NoNotes, null, children);
    }

    private static decimal? Round(SchemeNode node, decimal value, Context ctx) => node.Published ? ctx.Rounding.Apply(value) : null;

    private static NodeScore Absent(SchemeNode node, string path, string method, List<string>? notes, LeafInput? input = null)
    {
        switch (node.Missing)
        {
            case MissingPolicy.Fail:
                throw new DomainException(ErrorKind.Validation, "missing_input", $"{path}: no data for {node.Name} and its policy is to fail.");
            case MissingPolicy.Zero:
                (notes ??= []).Add("无数据，按 0 分计 / no data, counted as 0.");
                return new NodeScore(node.Code, node.Name, method, node.Points, node.Weight, null, 0, 0, node.Published ? 0 : null, false, notes, input, []);
            default:
                (notes ??= []).Add("无数据，由上级按其余指标折算 / no data, renormalised by the parent.");
                return new NodeScore(node.Code, node.Name, method, node.Points, node.Weight, null, 0, 0, null, true, notes, input, []);
        }
    }

    private static NodeScore Leaf(SchemeNode node, string path, Context ctx)
    {
        var method = node.Method!;
        LeafInput? input;
        if (method is Subunits sub)
        {
            input = SubunitInput(sub, ctx.Unit);
        }
        else
        {
            input = ctx.Inputs.GetValueOrDefault(node.Code);
        }

        if (input is null)
        {
            return Absent(node, path, method.Name, null);
        }

        List<string>? notes = null;
        decimal raw;
        switch (method)
        {
            case ManualScore:
                raw = input.Value ?? throw Missing(path, "value");
                break;
            case Checklist c:
                raw = 0;
                foreach (var item in c.Items)
                {
                    // Failed items are not noted one by one: the explanation shows the passed items beside the checklist.
                    if (input.Passed?.Contains(item.Code) == true)
                    {
                        raw += item.Points;
                    }
                }

                break;
            case Deductions d:
                raw = node.Points - DeductAll(d.Rules, input, ref notes);
                break;
            case Penalty p:
                var taken = DeductAll(p.Rules, input, ref notes);
                if (p.Cap is { } pc && taken > pc)
                {
                    (notes ??= []).Add($"扣分合计 {taken} 超过上限 {pc}，按 {pc} 扣 / penalties capped.");
                    taken = pc;
                }

                raw = -taken;
                break;
            case PerItem p:
                raw = CountPoints(p.Categories, input);
                break;
            case Bonus b:
                raw = b.Categories.Count == 0 ? input.Value ?? throw Missing(path, "value") : CountPoints(b.Categories, input);
                break;
            case Quota q:
                raw = QuotaPoints(node, q, input.PerPeriod ?? throw Missing(path, "perPeriod"), ctx.Unit.Category, ref notes);
                break;
            case FigureScore f:
                raw = Linear(node.Points, input.Value ?? throw Missing(path, "value"), f.Low, f.High, ref notes);
                break;
            case SurveyFigure s:
                raw = Linear(node.Points, input.Value ?? throw Missing(path, "value"), s.Low, s.High, ref notes);
                break;
            case MultiSource m:
                raw = WeightedMean(m.Sources, input.BySource, m.RenormaliseMissing, 1, 1, path, "bySource", ref notes);
                break;
            case Periods p:
                raw = WeightedMean(p.Weights, input.ByPeriod, p.RenormaliseMissing, node.Points, p.Scale, path, "byPeriod", ref notes);
                break;
            case Formula f:
                raw = f.Expression.Evaluate(input.Values ?? new Dictionary<string, decimal>(), path);
                break;
            case Subunits s:
                raw = SubunitAverage(node, s, [.. ctx.Unit.Subunits!.Where(x => s.Level is null || x.Level == s.Level)], ref notes);
                break;
            default:
                throw new InvalidOperationException($"{path}: unknown method.");
        }

        var value = raw;
        if (method.Extra > 0)
        {
            if (method is Bonus { Cap: { } cap } && value > cap)
            {
                (notes ??= []).Add($"加分 {value} 超过上限 {cap}，按 {cap} 计 / bonus capped.");
                value = cap;
            }

            value = Math.Max(0, value);
        }
        else if (method.Extra == 0)
        {
            if (value < 0)
            {
                (notes ??= []).Add("扣完为止，最低 0 分 / floored at 0.");
                value = 0;
            }

            if (!node.Uncapped && value > node.Points)
            {
                (notes ??= []).Add($"超过满分 {node.Points}，按满分计 / capped at {node.Points}.");
                value = node.Points;
            }
        }

        if (Zeroed(node, ctx, input) is { } why)
        {
            (notes ??= []).Add($"{why}，本项计 0 分 / zero rule applied.");
            value = 0;
        }

        return new NodeScore(node.Code, node.Name, method.Name, node.Points, node.Weight, raw, value, method.Extra != 0 ? value : 0,
            Round(node, value, ctx), false, (IReadOnlyList<string>?)notes ?? NoNotes, input, []);
    }

    private static decimal DeductAll(IReadOnlyList<DeductionRule> rules, LeafInput input, ref List<string>? notes)
    {
        decimal total = 0;
        foreach (var rule in rules)
        {
            var n = input.Counts?.GetValueOrDefault(rule.Code) ?? 0;
            if (n < 0)
            {
                throw new DomainException(ErrorKind.Validation, "invalid_input", $"The count of '{rule.Code}' is negative.");
            }

            var deduction = n * rule.Each;
            if (rule.Cap is { } cap && deduction > cap)
            {
                (notes ??= []).Add($"{rule.Name} 扣分 {deduction} 超过该项上限 {cap}，按 {cap} 扣 / deduction capped by its item.");
                deduction = cap;
            }

            total += deduction;
        }

        return total;
    }

    private static decimal CountPoints(IReadOnlyList<CountedCategory> categories, LeafInput input)
    {
        decimal sum = 0;
        foreach (var cat in categories)
        {
            var n = input.Counts?.GetValueOrDefault(cat.Code) ?? 0;
            if (n < 0)
            {
                throw new DomainException(ErrorKind.Validation, "invalid_input", $"The count of '{cat.Code}' is negative.");
            }

            sum += n * cat.PointsEach;
        }

        return sum;
    }

    private static decimal QuotaPoints(SchemeNode node, Quota q, IReadOnlyList<int> perPeriod, string? category, ref List<string>? notes)
    {
        var required = q.RequiredFor(category);
        var block = q.PeriodsPerBlock ?? Math.Max(1, perPeriod.Count);
        var blocks = (perPeriod.Count + block - 1) / block;
        if (blocks == 0)
        {
            return node.Points;
        }

        var each = node.Points / blocks;
        decimal sum = 0;
        for (var b = 0; b < blocks; b++)
        {
            var missing = 0;
            for (var i = b * block; i < Math.Min(perPeriod.Count, (b + 1) * block); i++)
            {
                missing += Math.Max(0, required - perPeriod[i]);
            }

            var points = each - (q.PenaltyPerMissing * missing);
            if (missing > 0)
            {
                (notes ??= []).Add(points < 0
                    ? $"第 {b + 1} 段少报 {missing} 条，扣完为止 / block {b + 1}: {missing} missing, floored at 0."
                    : $"第 {b + 1} 段少报 {missing} 条，扣 {q.PenaltyPerMissing * missing} 分 / block {b + 1}: {missing} missing.");
            }

            sum += Math.Max(0, points);
        }

        return sum;
    }

    private static decimal Linear(decimal points, decimal x, decimal low, decimal high, ref List<string>? notes)
    {
        if (x <= low)
        {
            (notes ??= []).Add($"数值 {x} 不高于下限 {low}，得 0 分 / at or below the low end.");
            return 0;
        }

        if (x >= high)
        {
            return points;
        }

        return points * (x - low) / (high - low);
    }

    private static decimal WeightedMean(IReadOnlyList<SourceWeight> sources, IReadOnlyDictionary<string, decimal>? given, bool renormalise, decimal points, decimal scale,
        string path, string field, ref List<string>? notes)
    {
        decimal sum = 0, present = 0, all = 0;
        List<string>? missing = null;
        foreach (var s in sources)
        {
            all += s.Weight;
            if (given?.TryGetValue(s.Source, out var v) == true)
            {
                sum += s.Weight * v;
                present += s.Weight;
            }
            else
            {
                (missing ??= []).Add(s.Source);
            }
        }

        if (present == 0)
        {
            throw Missing(path, field);
        }

        if (missing is not null)
        {
            (notes ??= []).Add(renormalise
                ? $"缺少 {string.Join("、", missing)} 的数据，按其余的权重折算 / missing left out, weights renormalised."
                : $"缺少 {string.Join("、", missing)} 的数据，按 0 分计 / missing counted as zero.");
        }

        var mean = sum / (renormalise ? present : all);
        return scale == points ? mean : mean * points / scale;
    }

    private static LeafInput? SubunitInput(Subunits s, UnitContext unit)
    {
        var subs = unit.Subunits?.Where(x => s.Level is null || x.Level == s.Level).ToList();
        if (subs is not { Count: > 0 })
        {
            return null;
        }

        var by = new Dictionary<string, decimal>(subs.Count, StringComparer.Ordinal);
        foreach (var x in subs)
        {
            by[x.Unit] = x.Value;
        }

        return new LeafInput(BySource: by, Source: s.Level is null ? "下级单位得分 / subordinate units' totals" : $"下级单位（{s.Level}）得分 / subordinate units' totals");
    }

    private static decimal SubunitAverage(SchemeNode node, Subunits s, IReadOnlyList<SubunitTotal> subs, ref List<string>? notes)
    {
        decimal sum = 0, weights = 0;
        foreach (var x in subs)
        {
            var w = s.Weighted ? x.Weight : 1;
            sum += w * (x.Points == 0 ? 0 : x.Value / x.Points);
            weights += w;
        }

        (notes ??= []).Add(s.Weighted ? $"{subs.Count} 个下级单位得分的加权平均 / weighted mean of {subs.Count} units." : $"{subs.Count} 个下级单位得分的平均 / mean of {subs.Count} units.");
        return weights == 0 ? 0 : sum / weights * node.Points;
    }

    private static string? Zeroed(SchemeNode node, Context ctx, LeafInput? input)
    {
        string? why = null;
        if (node.Zero is { } rule)
        {
            why = ZeroApplies(rule, input, ctx.Unit, node.Method as Quota);
            if (why is not null && rule.Target is { } target && target != node.Code)
            {
                (ctx.ZeroTargets ??= [])[target] = $"{why}（{node.Name}）";
                why = null;
            }
        }

        if (why is null && ctx.ZeroTargets is { } targets && targets.Remove(node.Code, out var below))
        {
            why = below;
        }

        return why;
    }

    private static string? ZeroApplies(ZeroRule rule, LeafInput? input, UnitContext unit, Quota? quota)
    {
        foreach (var f in rule.Flags)
        {
            if (input?.Flags?.Contains(f) == true || unit.Flags?.Contains(f) == true)
            {
                return $"出现“{f}”";
            }
        }

        if (input?.PerPeriod is { } periods)
        {
            if (rule.ConsecutiveEmptyPeriods is { } n)
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

            if (rule.MinTotal is { } min && periods.Sum() < min)
            {
                return $"全期报送 {periods.Sum()} 条，未完成基本任务 {min} 条";
            }

            if (rule.BelowQuotaTotal && quota is not null && periods.Sum() < quota.RequiredFor(unit.Category) * periods.Count)
            {
                return $"全期报送 {periods.Sum()} 条，未完成基本报送任务 {quota.RequiredFor(unit.Category) * periods.Count} 条";
            }
        }

        return null;
    }

    private static DomainException Missing(string path, string field) =>
        new(ErrorKind.Validation, "missing_input", $"{path}: the input lacks '{field}'.");
}
