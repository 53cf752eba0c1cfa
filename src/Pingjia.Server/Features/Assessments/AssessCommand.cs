using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Pingjia.Domain;
using Pingjia.Domain.Assessments;

namespace Pingjia.Server.Features.Assessments;

/// <summary>One unit of an input file: its leaf inputs by code, and where it sits (level, parent, weight, category, flagged events).</summary>
public sealed record UnitInput(
    string Unit, Dictionary<string, LeafInput>? Inputs, string? Level = null, string? Parent = null, decimal? Weight = null,
    string? Category = null, List<string>? Flags = null);

/// <summary>The inputs of a round: the period they belong to and the units.</summary>
public sealed record RoundInput(string? Period, List<UnitInput>? Units)
{
    public IReadOnlyList<RoundUnit> ToUnits() =>
        [.. (Units ?? []).Select(u => new RoundUnit(u.Unit, u.Inputs ?? [], u.Level, u.Parent, u.Weight ?? 1, u.Category, u.Flags))];
}

public sealed record UnitResult(string Unit, string? Level, int Rank, decimal Total, decimal Unrounded, string? Grade, NodeScore Explanation);

public sealed record RoundOutput(string Scheme, int Version, string? Period, IReadOnlyList<UnitResult> Results);

/// <summary>
/// <c>pingjia assess run</c> scores every unit of an input file under a scheme file and writes ranked results with
/// explanations; <c>pingjia assess explain</c> prints one unit's explanation as Chinese text (or JSON).
/// </summary>
public static class AssessCommand
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Scores a round and returns its output; throws <see cref="DomainException"/> for bad inputs.</summary>
    public static RoundOutput Compute(Scheme scheme, RoundInput input)
    {
        var ranked = Ranking.Compute(scheme, input.ToUnits());
        return new RoundOutput(scheme.Code, scheme.Version, input.Period,
            [.. ranked.Select(r => new UnitResult(r.Unit, r.Result.Level, r.Rank, r.Result.Total, r.Result.Unrounded, r.Grade, r.Result.Tree))]);
    }

    public static async Task<int> RunAsync(FileInfo schemeFile, FileInfo inputFile, string? period, FileInfo? outFile, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (scheme, input) = await LoadAsync(schemeFile, inputFile, period, error, ct);
        if (scheme is null || input is null)
        {
            return 1;
        }

        RoundOutput result;
        try
        {
            result = Compute(scheme, input);
        }
        catch (DomainException e)
        {
            await error.WriteLineAsync($"输入有误 / Invalid input ({e.Code}): {e.Message}");
            return 1;
        }

        if (outFile is not null && outFile.Extension.Equals(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            await AssessExcel.WriteResultsAsync(outFile.FullName, scheme, result, ct);
        }
        else
        {
            var text = JsonSerializer.Serialize(result, Json);
            if (outFile is null)
            {
                await output.WriteLineAsync(text);
                return 0;
            }

            await File.WriteAllTextAsync(outFile.FullName, text, ct);
        }

        foreach (var r in result.Results)
        {
            await output.WriteLineAsync($"{r.Rank}. {r.Unit}: {scheme.Rounding.Format(r.Total)} {r.Grade}");
        }

        return 0;
    }

    public static async Task<int> ExplainAsync(FileInfo schemeFile, FileInfo inputFile, string? period, string unit, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (scheme, input) = await LoadAsync(schemeFile, inputFile, period, error, ct);
        if (scheme is null || input is null)
        {
            return 1;
        }

        IReadOnlyList<RankedResult> ranked;
        try
        {
            ranked = Ranking.Compute(scheme, input.ToUnits());
        }
        catch (DomainException e)
        {
            await error.WriteLineAsync($"输入有误 / Invalid input ({e.Code}): {e.Message}");
            return 1;
        }

        var one = ranked.FirstOrDefault(r => r.Unit == unit);
        if (one is null)
        {
            await error.WriteLineAsync($"输入中没有单位“{unit}” / No unit '{unit}' in the input.");
            return 1;
        }

        await output.WriteAsync(json
            ? JsonSerializer.Serialize(new UnitResult(one.Unit, one.Result.Level, one.Rank, one.Result.Total, one.Result.Unrounded, one.Grade, one.Result.Tree), Json) + "\n"
            : Explanation.ToText(scheme, one));
        return 0;
    }

    /// <summary><c>pingjia assess workbook</c>: a data-entry workbook for the units of an input file (JSON or XLSX), filled with what they have.</summary>
    public static async Task<int> WorkbookAsync(FileInfo schemeFile, FileInfo inputFile, FileInfo outFile, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (scheme, input) = await LoadAsync(schemeFile, inputFile, null, error, ct);
        if (scheme is null || input is null)
        {
            return 1;
        }

        using var buffer = new MemoryStream();
        AssessExcel.WriteEntryWorkbook(buffer, scheme, input);
        await File.WriteAllBytesAsync(outFile.FullName, buffer.ToArray(), ct);
        await output.WriteLineAsync($"已写出 {input.Units!.Count} 个单位的录入表 / wrote the data-entry workbook for {input.Units.Count} units to {outFile.FullName}");
        return 0;
    }

    private static async Task<(Scheme?, RoundInput?)> LoadAsync(FileInfo schemeFile, FileInfo inputFile, string? period, TextWriter error, CancellationToken ct)
    {
        foreach (var f in new[] { schemeFile, inputFile })
        {
            if (!f.Exists)
            {
                await error.WriteLineAsync($"文件不存在 / No such file: {f.FullName}");
                return (null, null);
            }
        }

        var (scheme, errors) = SchemeFile.Load(await File.ReadAllTextAsync(schemeFile.FullName, ct));
        if (scheme is null)
        {
            await error.WriteLineAsync($"方案有误 / The scheme has {errors.Count} error(s):");
            foreach (var e in errors)
            {
                await error.WriteLineAsync($"  {e}");
            }

            return (null, null);
        }

        RoundInput? input;
        if (inputFile.Extension.Equals(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            var (read, rowErrors) = AssessExcel.ReadInputs(inputFile.FullName, scheme);
            if (rowErrors.Count > 0)
            {
                await error.WriteLineAsync($"输入表有误 / The workbook has {rowErrors.Count} error(s):");
                foreach (var e in rowErrors)
                {
                    await error.WriteLineAsync($"  {e}");
                }

                return (null, null);
            }

            input = read;
        }
        else
        {
            try
            {
                input = JsonSerializer.Deserialize<RoundInput>(await File.ReadAllTextAsync(inputFile.FullName, ct), Json);
            }
            catch (JsonException e)
            {
                await error.WriteLineAsync($"输入文件有误 / The input file is not valid at {e.Path}: {e.Message.Split(" Path:")[0]}");
                return (null, null);
            }
        }

        if (input?.Units is null)
        {
            await error.WriteLineAsync("输入文件没有单位 / The input file has no units.");
            return (scheme, null);
        }

        if (period is not null)
        {
            if (input.Period is not null && input.Period != period)
            {
                await error.WriteLineAsync($"输入属于 {input.Period} 期，不是 {period} 期 / The input is for period {input.Period}, not {period}.");
                return (scheme, null);
            }

            input = input with { Period = period };
        }

        return (scheme, input);
    }
}
