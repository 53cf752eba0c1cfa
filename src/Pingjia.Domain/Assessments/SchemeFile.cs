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
    };

    public sealed record NodeDto(
        string? Code, string? Name, decimal? Points, List<NodeDto>? Children, string? Method, MissingPolicy? Missing, bool? Uncapped,
        List<ChecklistItem>? Items, List<DeductionRule>? Rules, List<CountedCategory>? Categories, int? RequiredPerPeriod, decimal? PenaltyPerMissing, string? Source,
        List<SourceWeight>? Sources, bool? RenormaliseMissingSources, ZeroRuleDto? Zero);

    public sealed record ZeroRuleDto(int? ConsecutiveEmptyPeriods, List<string>? Flags);

    public sealed record RoundingDto(RoundingMode? Mode, int? Digits);

    public sealed record SchemeDto(string? Code, string? Name, int? Version, NodeDto? Root, RoundingDto? Rounding, List<GradeBand>? Grades);

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
        var scheme = new Scheme(dto.Code ?? "", dto.Name ?? dto.Code ?? "", dto.Version ?? 1, root,
            new Rounding(dto.Rounding?.Mode ?? RoundingMode.HalfUp, dto.Rounding?.Digits ?? 2), dto.Grades ?? []);
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
            "per_item" => new PerItem(d.Categories ?? []),
            "quota" when d.RequiredPerPeriod is { } n && d.PenaltyPerMissing is { } p => new Quota(n, p),
            "quota" => Error(errors, path + ".method", "A quota needs requiredPerPeriod and penaltyPerMissing."),
            "figure" => new FigureScore(d.Source ?? ""),
            "multi_source" => new MultiSource(d.Sources ?? [], d.RenormaliseMissingSources ?? true),
            _ => Error(errors, path + ".method", $"Unknown method '{d.Method}' (manual, checklist, deductions, per_item, quota, figure, multi_source)."),
        };
        var zero = d.Zero is null ? null : new ZeroRule(d.Zero.ConsecutiveEmptyPeriods, d.Zero.Flags ?? []);
        return new SchemeNode(d.Code ?? "", d.Name ?? d.Code ?? "", d.Points ?? 0, children, method, d.Missing ?? MissingPolicy.Fail, d.Uncapped ?? false, zero);
    }

    private static ScoringMethod? Error(List<SchemeError> errors, string path, string message)
    {
        errors.Add(new(path, message));
        return null;
    }
}
