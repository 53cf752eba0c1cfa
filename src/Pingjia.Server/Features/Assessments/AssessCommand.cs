using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Pingjia.Domain;
using Pingjia.Domain.Assessments;

namespace Pingjia.Server.Features.Assessments;

/// <summary>Inputs of a round: per unit, per leaf code.</summary>
public sealed record RoundInput(Dictionary<string, Dictionary<string, LeafInput>> Units);

public sealed record UnitResult(string Unit, int Rank, decimal Total, decimal Unrounded, string? Grade, NodeScore Explanation);

public sealed record RoundOutput(string Scheme, int Version, IReadOnlyList<UnitResult> Results);

/// <summary><c>pingjia assess run</c>: scores every unit of an input file under a scheme file and writes ranked results with explanations.</summary>
public static class AssessCommand
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static async Task<int> RunAsync(FileInfo schemeFile, FileInfo inputFile, FileInfo? outFile, TextWriter output, TextWriter error, CancellationToken ct)
    {
        foreach (var f in new[] { schemeFile, inputFile })
        {
            if (!f.Exists)
            {
                await error.WriteLineAsync($"文件不存在 / No such file: {f.FullName}");
                return 2;
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

            return 1;
        }

        RoundInput? input;
        try
        {
            input = JsonSerializer.Deserialize<RoundInput>(await File.ReadAllTextAsync(inputFile.FullName, ct), Json);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"输入文件有误 / The input file is not valid at {e.Path}: {e.Message.Split(" Path:")[0]}");
            return 1;
        }

        var scored = new List<(string, ScoreResult)>();
        foreach (var (unit, leaves) in input?.Units ?? [])
        {
            try
            {
                scored.Add((unit, Scoring.Score(scheme, leaves)));
            }
            catch (DomainException e)
            {
                await error.WriteLineAsync($"{unit}: {e.Message}");
                return 1;
            }
        }

        var result = new RoundOutput(scheme.Code, scheme.Version,
            [.. Ranking.Rank(scored).Select(r => new UnitResult(r.Unit, r.Rank, r.Result.Total, r.Result.Unrounded, r.Result.Grade, r.Result.Tree))]);
        var text = JsonSerializer.Serialize(result, Json);
        if (outFile is null)
        {
            await output.WriteLineAsync(text);
        }
        else
        {
            await File.WriteAllTextAsync(outFile.FullName, text, ct);
            foreach (var r in result.Results)
            {
                await output.WriteLineAsync($"{r.Rank}. {r.Unit}: {r.Total} {r.Grade}");
            }
        }

        return 0;
    }
}
