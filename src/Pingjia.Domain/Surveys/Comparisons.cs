namespace Pingjia.Domain.Surveys;

/// <summary>
/// A difference of means (A − B) by Welch's t test: SE = √(s²_A/n_A + s²_B/n_B), Welch–Satterthwaite degrees of freedom,
/// a 95% interval and a two-sided p-value. For Likert questions the same difference on the 0–100 index scale.
/// Null figures when a side has fewer than two answers.
/// </summary>
public sealed record MeanDifference(
    long NA, long NB, double? MeanA, double? MeanB, double? Difference, double? StandardError, double? DegreesOfFreedom, Interval? Ci, double? T, double? P,
    double? IndexDifference, Interval? IndexCi, bool Significant);

/// <summary>A difference of satisfaction rates (A − B) with Newcombe's interval from the two Wilson intervals.</summary>
public sealed record RateDifference(long NA, long NB, double? RateA, double? RateB, double? Difference, Interval? Ci, bool Significant);

/// <summary>A unit in a comparison: its figures, its difference from the rest, and its rank (null below the minimum n).</summary>
public sealed record UnitComparisonRow(string Unit, string? Group, long N, bool BelowMinN, double? Index, Interval? IndexCi, double? SatisfactionRate, int? Rank, MeanDifference VersusRest);

/// <summary>Units of one question compared (横向, or 同类 within a peer group), ranked by the lower bound of the index interval.</summary>
public sealed record UnitComparison(string Question, string? Group, CellStats Pooled, IReadOnlyList<UnitComparisonRow> Units);

/// <summary>A unit's figure in two periods (纵向): earlier, later and the change.</summary>
public sealed record PeriodChange(string Unit, long NEarlier, long NLater, double? IndexEarlier, double? IndexLater, MeanDifference Change, RateDifference RateChange);

/// <summary>A cross-tabulation of two categorical questions with the chi-square test of independence and Cramér's V.</summary>
public sealed record CrossTab(
    string RowQuestion, string ColumnQuestion, IReadOnlyList<string> RowLabels, IReadOnlyList<string> ColumnLabels, long[][] Counts,
    long[] RowTotals, long[] ColumnTotals, long N, double? ChiSquare, int? DegreesOfFreedom, double? P, double? CramersV);

public static class SurveyComparisons
{
    /// <summary>Welch's comparison of two cells' means.</summary>
    public static MeanDifference Means(CellStats a, CellStats b) => Means(a.Moments, b.Moments, Math.Max(a.ScalePoints, b.ScalePoints));

    internal static MeanDifference Means(Moments a, Moments b, int k)
    {
        long na = (long)a.N, nb = (long)b.N;
        double? ma = na > 0 ? a.Mean : null, mb = nb > 0 ? b.Mean : null;
        if (na < 2 || nb < 2)
        {
            return new MeanDifference(na, nb, ma, mb, ma - mb, null, null, null, null, null, null, null, false);
        }

        double va = a.Variance / na, vb = b.Variance / nb;
        var d = a.Mean - b.Mean;
        var se = Math.Sqrt(va + vb);
        if (se == 0)
        {
            // Both samples constant: the difference is exact.
            return new MeanDifference(na, nb, ma, mb, d, 0, null, new Interval(d, d), null, d == 0 ? 1 : 0,
                k >= 2 ? d / (k - 1) * 100 : null, k >= 2 ? new Interval(d / (k - 1) * 100, d / (k - 1) * 100) : null, d != 0);
        }

        var df = (se * se * se * se) / ((va * va / (na - 1)) + (vb * vb / (nb - 1)));
        var t = d / se;
        var half = StudentT.Quantile(0.975, df) * se;
        var ci = new Interval(d - half, d + half);
        var p = StudentT.TwoSidedP(t, df);
        return new MeanDifference(na, nb, ma, mb, d, se, df, ci, t, p,
            k >= 2 ? d / (k - 1) * 100 : null, k >= 2 ? ci.Map(x => x / (k - 1) * 100) : null, p < 0.05);
    }

    /// <summary>Newcombe's hybrid score interval (method 10) for the difference of two satisfaction rates.</summary>
    public static RateDifference Rates(CellStats a, CellStats b)
    {
        if (a.SatisfactionRate is not { } pa || b.SatisfactionRate is not { } pb)
        {
            return new RateDifference(a.N, b.N, a.SatisfactionRate, b.SatisfactionRate, null, null, false);
        }

        return Rates(a.N, b.N, pa, pb);
    }

    internal static RateDifference Rates(long na, long nb, double pa, double pb)
    {
        var wa = WilsonInterval.Of(pa, na);
        var wb = WilsonInterval.Of(pb, nb);
        var d = pa - pb;
        var lower = d - Math.Sqrt(((pa - wa.Lower) * (pa - wa.Lower)) + ((wb.Upper - pb) * (wb.Upper - pb)));
        var upper = d + Math.Sqrt(((wa.Upper - pa) * (wa.Upper - pa)) + ((pb - wb.Lower) * (pb - wb.Lower)));
        return new RateDifference(na, nb, pa, pb, d, new Interval(lower, upper), lower > 0 || upper < 0);
    }

    /// <summary>
    /// Compares the units of a question (横向). With <paramref name="groups"/> (unit → peer group) each group is compared within
    /// itself (同类). Every unit is tested against the rest of its group by Welch; units at or above the minimum n are ranked by the
    /// lower bound of their index interval (competition ranking: equal bounds share a rank), so a tiny sample never tops a large one.
    /// </summary>
    public static IReadOnlyList<UnitComparison> Units(QuestionResult question, IReadOnlyDictionary<string, string>? groups = null)
    {
        var byGroup = question.Units
            .GroupBy(u => groups is null ? null : groups.GetValueOrDefault(u.Unit))
            .Where(g => groups is null || g.Key is not null)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var list = new List<UnitComparison>();
        foreach (var group in byGroup)
        {
            var members = group.ToList();
            var pooledMoments = members.Aggregate(Moments.Empty, (m, u) => m.Combine(u.Stats.Moments));
            var k = question.ScalePoints ?? 0;
            var pooledSatisfied = members.Sum(u => u.Stats.Satisfied ?? 0);
            var pooled = SurveyAnalysis.Describe(pooledMoments, 0, k, k >= 2 ? pooledSatisfied : null, null, null);
            var ranked = members
                .Where(u => !u.Stats.BelowMinN && u.Stats.IndexCi is not null)
                .OrderByDescending(u => u.Stats.IndexCi!.Value.Lower)
                .ToList();
            var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < ranked.Count; i++)
            {
                ranks[ranked[i].Unit] = i > 0 && ranked[i].Stats.IndexCi!.Value.Lower == ranked[i - 1].Stats.IndexCi!.Value.Lower
                    ? ranks[ranked[i - 1].Unit]
                    : i + 1;
            }

            var rows = members
                .Select(u => new UnitComparisonRow(u.Unit, group.Key, u.Stats.N, u.Stats.BelowMinN, u.Stats.Index, u.Stats.IndexCi, u.Stats.SatisfactionRate,
                    ranks.TryGetValue(u.Unit, out var r) ? r : null, Means(u.Stats.Moments, pooledMoments.Without(u.Stats.Moments), k)))
                .OrderBy(r => r.Rank ?? int.MaxValue).ThenBy(r => r.Unit, StringComparer.Ordinal)
                .ToList();
            list.Add(new UnitComparison(question.Code, group.Key, pooled, rows));
        }

        return list;
    }

    /// <summary>The change of each unit's figure between two analyses of the same question (纵向: two periods).</summary>
    public static IReadOnlyList<PeriodChange> Periods(QuestionResult earlier, QuestionResult later)
    {
        var before = earlier.Units.ToDictionary(u => u.Unit, StringComparer.Ordinal);
        var list = new List<PeriodChange>();
        foreach (var u in later.Units)
        {
            if (!before.TryGetValue(u.Unit, out var e))
            {
                continue;
            }

            list.Add(new PeriodChange(u.Unit, e.Stats.N, u.Stats.N, e.Stats.Index, u.Stats.Index, Means(u.Stats, e.Stats), Rates(u.Stats, e.Stats)));
        }

        list.Add(new PeriodChange("*", earlier.Overall.N, later.Overall.N, earlier.Overall.Index, later.Overall.Index,
            Means(later.Overall, earlier.Overall), Rates(later.Overall, earlier.Overall)));
        return list;
    }

    /// <summary>Cross-tabulates two Likert or single-choice questions over the responses that answered both (optionally one unit).</summary>
    public static CrossTab Cross(SurveyData data, string rowQuestion, string columnQuestion, string? unit = null)
    {
        int qa = data.Questionnaire.IndexOf(rowQuestion), qb = data.Questionnaire.IndexOf(columnQuestion);
        if (qa < 0 || qb < 0 || !data.Questionnaire.Questions[qa].IsCategorical || !data.Questionnaire.Questions[qb].IsCategorical)
        {
            throw DomainException.Invalid("not_categorical", "A cross-tabulation needs two Likert or single-choice questions of the survey.", "questions");
        }

        var unitIndex = unit is null ? -1 : data.UnitIndex(unit);
        if (unit is not null && unitIndex < 0)
        {
            throw DomainException.Invalid("unknown_unit", $"Unit {unit} is not part of this survey.", "unit");
        }

        var a = data.Questionnaire.Questions[qa];
        var b = data.Questionnaire.Questions[qb];
        var counts = new long[a.Categories][];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = new long[b.Categories];
        }

        var colA = data.Category(qa);
        var colB = data.Category(qb);
        for (var r = 0; r < data.Count; r++)
        {
            if (colA[r] > 0 && colB[r] > 0 && (unitIndex < 0 || data.UnitOf(r) == unitIndex))
            {
                counts[colA[r] - 1][colB[r] - 1]++;
            }
        }

        var rowTotals = counts.Select(r => r.Sum()).ToArray();
        var colTotals = Enumerable.Range(0, b.Categories).Select(j => counts.Sum(r => r[j])).ToArray();
        var n = rowTotals.Sum();
        int nonEmptyRows = rowTotals.Count(t => t > 0), nonEmptyCols = colTotals.Count(t => t > 0);
        double? chi = null, p = null, v = null;
        int? df = null;
        if (n > 0 && nonEmptyRows >= 2 && nonEmptyCols >= 2)
        {
            double sum = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                for (var j = 0; j < colTotals.Length; j++)
                {
                    if (rowTotals[i] == 0 || colTotals[j] == 0)
                    {
                        continue;
                    }

                    var expected = (double)rowTotals[i] * colTotals[j] / n;
                    var d = counts[i][j] - expected;
                    sum += d * d / expected;
                }
            }

            chi = sum;
            df = (nonEmptyRows - 1) * (nonEmptyCols - 1);
            p = ChiSquare.UpperP(sum, df.Value);
            v = Math.Sqrt(sum / (n * (Math.Min(nonEmptyRows, nonEmptyCols) - 1)));
        }

        return new CrossTab(a.Code, b.Code, Labels(a), Labels(b), counts, rowTotals, colTotals, n, chi, df, p, v);
    }

    private static IReadOnlyList<string> Labels(Question q) =>
        q.Type == QuestionType.Likert ? q.Scale!.Labels : [.. q.Options!.Select(o => o.Label)];
}
