using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingjia.Domain.Assessments;

/// <summary>
/// The JSON form of a scheme. Loading reports every error with its path (JSON path for malformed files, node path for
/// broken rules) instead of stopping at the first.
/// </summary>
public static class SchemeFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 64,
    };

    public sealed record NodeDto(
        string? Code, string? Name, decimal? Points, List<NodeDto>? Children, string? Method, MissingPolicy? Missing, bool? Uncapped,
        List<ChecklistItem>? Items, List<DeductionRule>? Rules, List<CountedCategory>? Categories, int? RequiredPerPeriod, decimal? PenaltyPerMissing,
        Dictionary<string, int>? RequiredByCategory, int? PeriodsPerBlock, string? Source, decimal? Low, decimal? High, string? Survey, string? Figure,
        List<SourceWeight>? Sources, bool? RenormaliseMissingSources, ZeroRuleDto? Zero, decimal? Weight, Combine? Combine, bool? Published,
        string? Formula, List<string>? Variables, decimal? Cap, string? Level, bool? Weighted, List<PeriodWeightDto>? Periods, decimal? Scale);

    public sealed record ZeroRuleDto(int? ConsecutiveEmptyPeriods, List<string>? Flags, int? MinTotal, string? Target, bool? BelowQuotaTotal);

    public sealed record PeriodWeightDto(string Period, decimal Weight);

    public sealed record RoundingDto(RoundingMode? Mode, int? Digits);

    public sealed record TiesDto(TieMode? Mode, List<string>? Tiebreak);

    public sealed record LevelDto(string? Name, NodeDto? Root, List<GradeBand>? Grades, List<GradeQuota>? Quotas);

    public sealed record SchemeDto(
        string? Code, string? Name, int? Version, NodeDto? Root, RoundingDto? Rounding, List<GradeBand>? Grades, List<GradeQuota>? Quotas,
        TiesDto? Ties, List<LevelDto>? Levels);

    /// <summary>Parses and validates; returns the scheme or every error found.</summary>
    public static (Scheme? Scheme, IReadOnlyList<SchemeError> Errors) Load(string json)
    {
        SchemeDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<SchemeDto>(json, Json);
        }
        catch (JsonException e)
        {
            return (null, [new SchemeError(e.Path ?? "$", $"Not a valid scheme file: {e.Message.Split(" Path:")[0]}")]);
        }

        var errors = new List<SchemeError>();
        if (dto is null)
        {
            return (null, [new SchemeError("$", "The file is empty.")]);
        }

        if (string.IsNullOrWhiteSpace(dto.Code))
        {
            errors.Add(new("code", "A scheme needs a code."));
        }

        if (dto.Root is null)
        {
            errors.Add(new("root", "A scheme needs a root node."));
            return (null, errors);
        }

        var root = Node(dto.Root, dto.Root.Code ?? "root", errors);
        var levels = new List<SchemeLevel>();
        foreach (var (l, i) in (dto.Levels ?? []).Select((l, i) => (l, i)))
        {
            var path = $"levels.{l.Name ?? $"[{i}]"}";
            if (l.Root is null)
            {
                errors.Add(new(path + ".root", "A level needs a root node."));
                continue;
            }

            levels.Add(new SchemeLevel(l.Name ?? "", Node(l.Root, $"{path}.{l.Root.Code ?? "root"}", errors), l.Grades, l.Quotas));
        }

        var scheme = new Scheme(dto.Code ?? "", dto.Name ?? dto.Code ?? "", dto.Version ?? 1, root,
            new Rounding(dto.Rounding?.Mode ?? RoundingMode.HalfUp, dto.Rounding?.Digits ?? 2), dto.Grades ?? [], dto.Quotas,
            dto.Ties is null ? null : new TieRule(dto.Ties.Mode ?? TieMode.Competition, dto.Ties.Tiebreak ?? []), levels.Count == 0 ? null : levels);
        if (dto.Version is < 1)
        {
            errors.Add(new("version", "Versions start at 1."));
        }

        errors.AddRange(SchemeValidator.Validate(scheme));
        return errors.Count == 0 ? (scheme, []) : (null, errors);
    }

    private static SchemeNode Node(NodeDto d, string path, List<SchemeError> errors)
    {
        if (d.Points is null)
        {
            errors.Add(new(path + ".points", "Every node needs points."));
        }

        var children = (d.Children ?? []).Select((c, i) => Node(c, $"{path}.{c.Code ?? $"[{i}]"}", errors)).ToList();
        ScoringMethod? method = d.Method switch
        {
            null => null,
            "manual" => new ManualScore(),
            "checklist" => new Checklist(d.Items ?? []),
            "deductions" => new Deductions(d.Rules ?? []),
            "penalty" => new Penalty(d.Rules ?? [], d.Cap),
            "per_item" => new PerItem(d.Categories ?? []),
            "bonus" => new Bonus(d.Categories ?? [], d.Cap),
            "quota" when d.RequiredPerPeriod is { } n && d.PenaltyPerMissing is { } p => new Quota(n, p, d.RequiredByCategory, d.PeriodsPerBlock),
            "quota" => Error(errors, path + ".method", "A quota needs requiredPerPeriod and penaltyPerMissing."),
            "figure" => new FigureScore(d.Source ?? "", d.Low ?? 0, d.High ?? 1),
            "survey" => new SurveyFigure(d.Survey ?? "", d.Figure ?? "satisfaction_index", d.Low ?? 0, d.High ?? 100),
            "multi_source" => new MultiSource(d.Sources ?? [], d.RenormaliseMissingSources ?? true),
            "periods" => new Periods([.. (d.Periods ?? []).Select(x => new SourceWeight(x.Period, x.Weight))], d.Scale ?? 100, d.RenormaliseMissingSources ?? false),
            "subunits" => new Subunits(d.Level, d.Weighted ?? false),
            "formula" => FormulaOf(d, path, errors),
            _ => Error(errors, path + ".method", $"Unknown method '{d.Method}' (manual, checklist, deductions, penalty, per_item, bonus, quota, figure, survey, multi_source, periods, subunits, formula)."),
        };
        var zero = d.Zero is null ? null : new ZeroRule(d.Zero.ConsecutiveEmptyPeriods, d.Zero.Flags ?? [], d.Zero.MinTotal, d.Zero.Target, d.Zero.BelowQuotaTotal ?? false);
        return new SchemeNode(d.Code ?? "", d.Name ?? d.Code ?? "", d.Points ?? 0, children, method, d.Missing ?? MissingPolicy.Fail, d.Uncapped ?? false, zero,
            d.Weight, d.Combine ?? Combine.Sum, d.Published ?? false);
    }

    private static ScoringMethod FormulaOf(NodeDto d, string path, List<SchemeError> errors)
    {
        var variables = d.Variables ?? [];
        foreach (var v in variables.Where(v => string.IsNullOrWhiteSpace(v) || !v.All(c => char.IsLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(v[0])))
        {
            errors.Add(new(path + ".variables", $"'{v}' is not a valid name (letters, digits and _, not starting with a digit)."));
        }

        var (expression, problems) = FormulaExpression.Parse(d.Formula ?? "", variables);
        foreach (var p in problems)
        {
            errors.Add(new(path + ".formula", p));
        }

        return expression is null ? new Unparsed("formula") : new Formula(expression, variables);
    }

    private static ScoringMethod Error(List<SchemeError> errors, string path, string message)
    {
        errors.Add(new(path, message));
        return new Unparsed("invalid");
    }

    /// <summary>Stands for a method whose errors are already reported, so the leaf is not also reported as having none; such a scheme never loads.</summary>
    private sealed record Unparsed(string Kind) : ScoringMethod
    {
        public override string Name => Kind;
    }
}
