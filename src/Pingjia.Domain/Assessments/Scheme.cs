namespace Pingjia.Domain.Assessments;

/// <summary>What a node does when its data is missing: fail the whole score, count it as zero, or renormalise its parent over what is present.</summary>
public enum MissingPolicy
{
    Fail,
    Zero,
    Renormalise,
}

public enum RoundingMode
{
    /// <summary>四舍五入: halves away from zero.</summary>
    HalfUp,

    /// <summary>GB/T 8170 修约: halves to the even digit.</summary>
    HalfEven,
}

/// <summary>How a published value is rounded, once, at its published level.</summary>
public sealed record Rounding(RoundingMode Mode, int Digits)
{
    public decimal Apply(decimal value) =>
        Math.Round(value, Digits, Mode == RoundingMode.HalfUp ? MidpointRounding.AwayFromZero : MidpointRounding.ToEven);
}

/// <summary>A contiguous score band: a score at or above <see cref="Min"/> (and below the next band's minimum) earns the grade.</summary>
public sealed record GradeBand(string Name, decimal Min);

/// <summary>How a leaf turns its inputs into points.</summary>
public abstract record ScoringMethod
{
    public abstract string Name { get; }
}

/// <summary>An evaluator enters a score from 0 to the node's points.</summary>
public sealed record ManualScore : ScoringMethod
{
    public override string Name => "manual";
}

/// <summary>Inspection (实地考察, 暗访): each item passed earns its points.</summary>
public sealed record Checklist(IReadOnlyList<ChecklistItem> Items) : ScoringMethod
{
    public override string Name => "checklist";
}

public sealed record ChecklistItem(string Code, string Name, decimal Points);

/// <summary>
/// Deductions from the node's points, never below zero (扣完为止): each rule deducts per occurrence, at most its cap.
/// </summary>
public sealed record Deductions(IReadOnlyList<DeductionRule> Rules) : ScoringMethod
{
    public override string Name => "deductions";
}

public sealed record DeductionRule(string Code, string Name, decimal Each, decimal? Cap);

/// <summary>Points per counted item by category (Gansu: 专刊 10, 专报 3 …), capped at the node's points unless the node is uncapped.</summary>
public sealed record PerItem(IReadOnlyList<CountedCategory> Categories) : ScoringMethod
{
    public override string Name => "per_item";
}

public sealed record CountedCategory(string Code, string Name, decimal PointsEach);

/// <summary>
/// A quota per period with a penalty per missing item (XX局: 5 a month, −5 each missing, floor 0): the node's points when
/// every period met its quota, less the penalty for each missing item.
/// </summary>
public sealed record Quota(int RequiredPerPeriod, decimal PenaltyPerMissing) : ScoringMethod
{
    public override string Name => "quota";
}

/// <summary>A figure in [0, 1] from elsewhere (a good rate, a satisfaction index / 100) scaled to the node's points.</summary>
public sealed record FigureScore(string Source) : ScoringMethod
{
    public override string Name => "figure";
}

/// <summary>
/// Several sources score the same node (自评, 互评, 群众评价, 专家评审), combined by weight. A missing source is either
/// left out with the weights renormalised over the present ones, or counted as zero.
/// </summary>
public sealed record MultiSource(IReadOnlyList<SourceWeight> Sources, bool RenormaliseMissing) : ScoringMethod
{
    public override string Name => "multi_source";
}

public sealed record SourceWeight(string Source, decimal Weight);

/// <summary>
/// When a node scores zero whatever its method says: after <see cref="ConsecutiveEmptyPeriods"/> periods in a row with
/// nothing (Yingdong: three months → the item scores 0 for the year), or when any of <see cref="Flags"/> is raised
/// (a concealed or late major report).
/// </summary>
public sealed record ZeroRule(int? ConsecutiveEmptyPeriods, IReadOnlyList<string> Flags);

/// <summary>
/// A node of an indicator tree. A leaf has a method; an inner node's points are the sum of its children's.
/// <see cref="Uncapped"/> lets bonus points exceed the node's points.
/// </summary>
public sealed record SchemeNode(
    string Code, string Name, decimal Points, IReadOnlyList<SchemeNode> Children, ScoringMethod? Method = null,
    MissingPolicy Missing = MissingPolicy.Fail, bool Uncapped = false, ZeroRule? Zero = null)
{
    public bool IsLeaf => Children.Count == 0;
}

/// <summary>A version of a scheme: immutable once published; results name it.</summary>
public sealed record Scheme(string Code, string Name, int Version, SchemeNode Root, Rounding Rounding, IReadOnlyList<GradeBand> Grades);

/// <summary>One error in a scheme, with the path of the node it concerns.</summary>
public sealed record SchemeError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Checks a scheme and reports every error with its path, so a whole file can be fixed in one pass.</summary>
public static class SchemeValidator
{
    public static IReadOnlyList<SchemeError> Validate(Scheme scheme)
    {
        var errors = new List<SchemeError>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        Visit(scheme.Root, scheme.Root.Code, errors, codes);
        var bands = scheme.Grades.OrderByDescending(g => g.Min).ToList();
        if (bands.Select(b => b.Min).Distinct().Count() != bands.Count)
        {
            errors.Add(new("grades", "Two grade bands start at the same score."));
        }

        if (scheme.Rounding.Digits is < 0 or > 6)
        {
            errors.Add(new("rounding.digits", "Digits are from 0 to 6."));
        }

        return errors;
    }

    private static void Visit(SchemeNode node, string path, List<SchemeError> errors, HashSet<string> codes)
    {
        if (string.IsNullOrWhiteSpace(node.Code))
        {
            errors.Add(new(path, "Every node needs a code."));
        }
        else if (!codes.Add(node.Code))
        {
            errors.Add(new(path, $"The code '{node.Code}' is used twice."));
        }

        if (node.Points < 0)
        {
            errors.Add(new(path + ".points", "Points cannot be negative."));
        }

        if (node.IsLeaf && node.Method is null)
        {
            errors.Add(new(path, "A leaf needs a scoring method."));
        }

        if (!node.IsLeaf)
        {
            if (node.Method is not null)
            {
                errors.Add(new(path, "An inner node is scored by its children, not by a method."));
            }

            var sum = node.Children.Sum(c => c.Points);
            if (sum != node.Points)
            {
                errors.Add(new(path + ".points", $"The children's points sum to {sum}, not {node.Points}."));
            }
        }

        switch (node.Method)
        {
            case Checklist c when c.Items.Sum(i => i.Points) != node.Points:
                errors.Add(new(path + ".method", $"The checklist items sum to {c.Items.Sum(i => i.Points)}, not {node.Points}."));
                break;
            case Deductions d when d.Rules.Any(r => r.Each <= 0 || r.Cap < 0):
                errors.Add(new(path + ".method", "Each deduction is positive and its cap not negative."));
                break;
            case Quota q when q.RequiredPerPeriod < 1 || q.PenaltyPerMissing < 0:
                errors.Add(new(path + ".method", "A quota needs at least 1 item per period and a penalty not below 0."));
                break;
            case MultiSource m when m.Sources.Count == 0 || m.Sources.Any(w => w.Weight <= 0) || m.Sources.Select(w => w.Source).Distinct().Count() != m.Sources.Count:
                errors.Add(new(path + ".method", "Sources need distinct names and positive weights."));
                break;
        }

        for (var i = 0; i < node.Children.Count; i++)
        {
            Visit(node.Children[i], $"{path}.{node.Children[i].Code}", errors, codes);
        }
    }
}
