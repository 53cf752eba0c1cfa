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

    /// <summary>A published value with exactly <see cref="Digits"/> decimals (86.43, 91.00).</summary>
    public string Format(decimal value) => Apply(value).ToString("F" + Digits.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A contiguous score band: a score at or above <see cref="Min"/> (and below the next band's minimum) earns the grade.</summary>
public sealed record GradeBand(string Name, decimal Min);

/// <summary>How a leaf turns its inputs into points.</summary>
public abstract record ScoringMethod
{
    public abstract string Name { get; }

    /// <summary>
    /// +1 for bonus points and −1 for penalties: both lie outside the points of the tree (the siblings' points sum to
    /// the parent's without them) and are added to, or taken from, the parent after its cap.
    /// </summary>
    public virtual int Extra => 0;
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
/// A quota per period with a penalty per missing item (XX局: 5 a month, −5 each missing, floor 0). The periods are
/// scored in blocks of <see cref="PeriodsPerBlock"/> (a quarter of three months; all periods when null), each block
/// worth an equal share of the node's points and floored at zero on its own. A unit's category may have its own
/// quota (XX局: county bureaus 5, offices 3).
/// </summary>
public sealed record Quota(int RequiredPerPeriod, decimal PenaltyPerMissing, IReadOnlyDictionary<string, int>? RequiredByCategory = null, int? PeriodsPerBlock = null) : ScoringMethod
{
    public override string Name => "quota";

    public int RequiredFor(string? category) =>
        category is not null && RequiredByCategory?.TryGetValue(category, out var n) == true ? n : RequiredPerPeriod;
}

/// <summary>
/// A figure from elsewhere (a good rate from ratings) mapped linearly to points: <see cref="Low"/> or less earns 0,
/// <see cref="High"/> or more the node's points.
/// </summary>
public sealed record FigureScore(string Source, decimal Low = 0, decimal High = 1) : ScoringMethod
{
    public override string Name => "figure";
}

/// <summary>
/// A figure fed from survey results (a satisfaction index 0–100), mapped linearly like <see cref="FigureScore"/>. The
/// input names the survey and its sample in its provenance.
/// </summary>
public sealed record SurveyFigure(string Survey, string Figure, decimal Low = 0, decimal High = 100) : ScoringMethod
{
    public override string Name => "survey";
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

/// <summary>A formula over declared input values, in the allow-listed expression language of <see cref="FormulaExpression"/>.</summary>
public sealed record Formula(FormulaExpression Expression, IReadOnlyList<string> Variables) : ScoringMethod
{
    public override string Name => "formula";
}

/// <summary>Bonus points (加分) per counted item by category, or a value entered directly; capped at <see cref="Cap"/> when given.</summary>
public sealed record Bonus(IReadOnlyList<CountedCategory> Categories, decimal? Cap) : ScoringMethod
{
    public override string Name => "bonus";

    public override int Extra => 1;
}

/// <summary>Penalties (扣分) taken from the parent after its cap (Yingdong: −20 per concealed or late major report); at most <see cref="Cap"/> in all when given.</summary>
public sealed record Penalty(IReadOnlyList<DeductionRule> Rules, decimal? Cap) : ScoringMethod
{
    public override string Name => "penalty";

    public override int Extra => -1;
}

/// <summary>
/// Composition across units: the average (or weighted average by each unit's weight) of the totals of the unit's
/// subordinate units, each on its own scale, scaled to this node's points (Fujian: 80% of its cities' scores).
/// Subordinate totals are taken unrounded: GB/T 8170 forbids rounding twice in a row.
/// </summary>
public sealed record Subunits(string? Level, bool Weighted) : ScoringMethod
{
    public override string Name => "subunits";
}

/// <summary>
/// Composition across periods: the weighted mean of the measurements of several periods, each on a scale of
/// <see cref="Scale"/> points, scaled to this node's points (Fujian: two yearly measurements, 15% of the term each).
/// </summary>
public sealed record Periods(IReadOnlyList<SourceWeight> Weights, decimal Scale, bool RenormaliseMissing) : ScoringMethod
{
    public override string Name => "periods";
}

/// <summary>
/// When a node scores zero whatever its method says: after <see cref="ConsecutiveEmptyPeriods"/> periods in a row with
/// nothing (Yingdong: three months → the item scores 0 for the year), when fewer than <see cref="MinTotal"/> items
/// came in over all periods (a missed base quota), or when any of <see cref="Flags"/> is raised (a concealed or late
/// major report), or, on a quota leaf with <see cref="BelowQuotaTotal"/>, when the periods together fell short of the
/// quota (XX局: a missed base quota). <see cref="Target"/> names an ancestor that is zeroed instead of the node itself.
/// </summary>
public sealed record ZeroRule(int? ConsecutiveEmptyPeriods, IReadOnlyList<string> Flags, int? MinTotal = null, string? Target = null, bool BelowQuotaTotal = false);

/// <summary>How an inner node combines its children: their points summed, or their scores (each on its own points) weighted.</summary>
public enum Combine
{
    Sum,
    Weighted,
}

/// <summary>
/// A node of an indicator tree. A leaf has a method; an inner node sums its children (whose points sum to its own) or
/// weights them (weights summing to 1). <see cref="Uncapped"/> lets points exceed the node's points.
/// <see cref="Published"/> nodes are rounded for publication (the root always is); nothing else is ever rounded.
/// </summary>
public sealed record SchemeNode(
    string Code, string Name, decimal Points, IReadOnlyList<SchemeNode> Children, ScoringMethod? Method = null,
    MissingPolicy Missing = MissingPolicy.Fail, bool Uncapped = false, ZeroRule? Zero = null,
    decimal? Weight = null, Combine Combine = Combine.Sum, bool Published = false)
{
    public bool IsLeaf => Children.Count == 0;

    /// <summary>Bonus (+1) or penalty (−1) node, outside the points of the tree; 0 for a regular node.</summary>
    public int Extra => Method?.Extra ?? 0;
}

/// <summary>Ranks are shared by equal published totals: standard competition (1, 2, 2, 4) or dense (1, 2, 2, 3).</summary>
public enum TieMode
{
    Competition,
    Dense,
}

/// <summary>
/// The scheme's tie rule: equal published totals are first separated by the values of <see cref="Tiebreak"/> nodes in
/// order (higher first); units still equal share a rank by <see cref="Mode"/>.
/// </summary>
public sealed record TieRule(TieMode Mode, IReadOnlyList<string> Tiebreak)
{
    public static readonly TieRule Default = new(TieMode.Competition, []);
}

/// <summary>
/// A grade by quota (top x%): the best-ranked units, at most <see cref="Share"/> of all (rounded down, at least one),
/// earn it if they also reach <see cref="MinScore"/>; units sharing a rank at the limit all earn it.
/// </summary>
public sealed record GradeQuota(string Name, decimal Share, decimal? MinScore = null);

/// <summary>
/// A level of units scored under its own tree (Fujian: a city's sector score and a province-wide sector score), with
/// its own grades when they differ.
/// </summary>
public sealed record SchemeLevel(string Name, SchemeNode Root, IReadOnlyList<GradeBand>? Grades = null, IReadOnlyList<GradeQuota>? Quotas = null);

/// <summary>
/// A version of a scheme: immutable once published; results name it. Grades come from contiguous bands, or from quotas
/// when <see cref="Quotas"/> is not empty (then bands grade whoever is left); <see cref="Levels"/> hold further trees
/// for units of other levels.
/// </summary>
public sealed record Scheme(
    string Code, string Name, int Version, SchemeNode Root, Rounding Rounding, IReadOnlyList<GradeBand> Grades,
    IReadOnlyList<GradeQuota>? Quotas = null, TieRule? Ties = null, IReadOnlyList<SchemeLevel>? Levels = null)
{
    /// <summary>The tree and grades for units of <paramref name="level"/>; the main tree when null or empty.</summary>
    public SchemeLevel Level(string? level)
    {
        if (string.IsNullOrEmpty(level))
        {
            return new SchemeLevel("", Root, Grades, Quotas);
        }

        var found = Levels?.FirstOrDefault(l => l.Name == level)
            ?? throw new DomainException(ErrorKind.Validation, "unknown_level", $"The scheme has no level '{level}'.");
        return found with { Grades = found.Grades ?? Grades, Quotas = found.Quotas ?? Quotas };
    }

    public IEnumerable<SchemeLevel> AllLevels() =>
        new[] { Level(null) }.Concat((Levels ?? []).Select(l => Level(l.Name)));
}

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
        var levelNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var level in scheme.Levels ?? [])
        {
            if (string.IsNullOrWhiteSpace(level.Name) || !levelNames.Add(level.Name))
            {
                errors.Add(new($"levels.{level.Name}", "Every level needs a name of its own."));
            }
        }

        Visit(scheme.Root, scheme.Root.Code, [], errors, codes);
        foreach (var level in scheme.Levels ?? [])
        {
            Visit(level.Root, $"levels.{level.Name}.{level.Root.Code}", [], errors, codes);
            Grades($"levels.{level.Name}.", level.Grades ?? [], level.Quotas ?? [], errors);
        }

        Grades("", scheme.Grades, scheme.Quotas ?? [], errors);
        if (scheme.Rounding.Digits is < 0 or > 6)
        {
            errors.Add(new("rounding.digits", "Digits are from 0 to 6."));
        }

        foreach (var code in scheme.Ties?.Tiebreak ?? [])
        {
            if (!codes.Contains(code))
            {
                errors.Add(new("ties.tiebreak", $"The tie-break node '{code}' is not in the scheme."));
            }
        }

        // Levels refer to each other through subunit nodes: the references must not loop (a level cannot be its own subordinate).
        var edges = scheme.AllLevels().ToDictionary(l => l.Name, l => Methods(l.Root).OfType<Subunits>().Select(s => s.Level ?? "").ToList());
        foreach (var (from, targets) in edges)
        {
            foreach (var t in targets.Where(t => !edges.ContainsKey(t)))
            {
                errors.Add(new(LevelPath(from), $"A subunit node refers to the unknown level '{t}'."));
            }
        }

        foreach (var start in edges.Keys)
        {
            if (Reaches(start, start, edges, []))
            {
                errors.Add(new(LevelPath(start), "The levels' subunit references form a cycle."));
            }
        }

        return errors;
    }

    private static string LevelPath(string level) => level.Length == 0 ? "root" : $"levels.{level}";

    private static bool Reaches(string from, string goal, Dictionary<string, List<string>> edges, HashSet<string> seen)
    {
        foreach (var next in edges.GetValueOrDefault(from) ?? [])
        {
            if (next == goal)
            {
                return true;
            }

            if (seen.Add(next) && Reaches(next, goal, edges, seen))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<ScoringMethod> Methods(SchemeNode node) =>
        (node.Method is null ? [] : new[] { node.Method }).Concat(node.Children.SelectMany(Methods));

    private static void Grades(string prefix, IReadOnlyList<GradeBand> bands, IReadOnlyList<GradeQuota> quotas, List<SchemeError> errors)
    {
        if (bands.Select(b => b.Min).Distinct().Count() != bands.Count)
        {
            errors.Add(new(prefix + "grades", "Two grade bands start at the same score."));
        }

        if (quotas.Any(q => q.Share <= 0 || q.Share > 1) || quotas.Sum(q => q.Share) > 1)
        {
            errors.Add(new(prefix + "quotas", "Each quota is a share in (0, 1], and together they are at most 1."));
        }
    }

    private static void Visit(SchemeNode node, string path, List<string> ancestors, List<SchemeError> errors, HashSet<string> codes)
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

        if (node.Weight is { } w && w <= 0)
        {
            errors.Add(new(path + ".weight", "A weight is positive."));
        }

        if (!node.IsLeaf)
        {
            if (node.Method is not null)
            {
                errors.Add(new(path, "An inner node is scored by its children, not by a method."));
            }

            var regular = node.Children.Where(c => c.Extra == 0).ToList();
            if (node.Combine == Combine.Sum)
            {
                var sum = regular.Sum(c => c.Points);
                if (sum != node.Points)
                {
                    errors.Add(new(path + ".points", $"The children's points sum to {sum}, not {node.Points}."));
                }
            }
            else
            {
                if (regular.Any(c => c.Weight is null))
                {
                    errors.Add(new(path + ".children", "In a weighted node every child needs a weight."));
                }

                var sum = regular.Sum(c => c.Weight ?? 0);
                if (sum != 1)
                {
                    errors.Add(new(path + ".children", $"The children's weights sum to {sum}, not 1."));
                }

                if (regular.Any(c => c.Points == 0))
                {
                    errors.Add(new(path + ".children", "In a weighted node every child has points to be scaled from."));
                }
            }
        }

        if (node.Extra != 0)
        {
            if (!node.IsLeaf)
            {
                errors.Add(new(path, "Bonus and penalty nodes are leaves."));
            }

            var cap = node.Method switch { Bonus b => b.Cap, Penalty p => p.Cap, _ => null };
            if (node.Points != (cap ?? 0))
            {
                errors.Add(new(path + ".points", $"A bonus or penalty node lies outside the points of the tree: its points are its cap ({cap ?? 0})."));
            }
        }

        if (node.Zero is { Target: { } target } && target != node.Code && !ancestors.Contains(target))
        {
            errors.Add(new(path + ".zero.target", $"'{target}' is not this node or one of its ancestors."));
        }

        switch (node.Method)
        {
            case Checklist c when c.Items.Sum(i => i.Points) != node.Points:
                errors.Add(new(path + ".method", $"The checklist items sum to {c.Items.Sum(i => i.Points)}, not {node.Points}."));
                break;
            case Deductions d when d.Rules.Count == 0 || d.Rules.Any(r => r.Each <= 0 || r.Cap < 0):
                errors.Add(new(path + ".rules", "Deductions need rules; each deduction is positive and its cap not negative."));
                break;
            case Penalty p when p.Rules.Count == 0 || p.Rules.Any(r => r.Each <= 0 || r.Cap < 0):
                errors.Add(new(path + ".rules", "Penalties need rules; each is positive and its cap not negative."));
                break;
            case PerItem p when p.Categories.Count == 0 || p.Categories.Any(c => c.PointsEach < 0):
                errors.Add(new(path + ".categories", "Counted items need categories with points not below 0."));
                break;
            case Bonus b when b.Categories.Any(c => c.PointsEach < 0) || b.Cap < 0:
                errors.Add(new(path + ".categories", "Bonus points and caps are not negative."));
                break;
            case Quota q when q.RequiredPerPeriod < 1 || q.PenaltyPerMissing < 0 || q.PeriodsPerBlock < 1 || q.RequiredByCategory?.Values.Any(n => n < 1) == true:
                errors.Add(new(path + ".method", "A quota needs at least 1 item per period, a penalty not below 0 and blocks of at least 1 period."));
                break;
            case MultiSource m when m.Sources.Count == 0 || m.Sources.Any(w => w.Weight <= 0) || m.Sources.Select(w => w.Source).Distinct().Count() != m.Sources.Count:
                errors.Add(new(path + ".sources", "Sources need distinct names and positive weights."));
                break;
            case Periods p when p.Weights.Count == 0 || p.Weights.Any(w => w.Weight <= 0) || p.Weights.Select(w => w.Source).Distinct().Count() != p.Weights.Count || p.Scale <= 0:
                errors.Add(new(path + ".periods", "Periods need distinct names, positive weights and a positive scale."));
                break;
            case FigureScore f when f.High <= f.Low:
                errors.Add(new(path + ".method", "A figure's high end is above its low end."));
                break;
            case SurveyFigure f when f.High <= f.Low || string.IsNullOrWhiteSpace(f.Survey):
                errors.Add(new(path + ".method", "A survey figure names its survey, and its high end is above its low end."));
                break;
        }

        ancestors.Add(node.Code);
        foreach (var child in node.Children)
        {
            Visit(child, $"{path}.{child.Code}", ancestors, errors, codes);
        }

        ancestors.RemoveAt(ancestors.Count - 1);
    }
}
