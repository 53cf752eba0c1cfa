namespace Pingjia.Domain.Assessments;

/// <summary>A unit's place: standard competition ranking on the published (rounded) total — equal totals share a rank, the next rank skips (1, 2, 2, 4).</summary>
public sealed record RankedResult(string Unit, int Rank, ScoreResult Result);

public static class Ranking
{
    public static IReadOnlyList<RankedResult> Rank(IEnumerable<(string Unit, ScoreResult Result)> results)
    {
        var ordered = results.OrderByDescending(r => r.Result.Total).ThenBy(r => r.Unit, StringComparer.Ordinal).ToList();
        var ranked = new List<RankedResult>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var rank = i > 0 && ordered[i].Result.Total == ordered[i - 1].Result.Total ? ranked[i - 1].Rank : i + 1;
            ranked.Add(new RankedResult(ordered[i].Unit, rank, ordered[i].Result));
        }

        return ranked;
    }
}
