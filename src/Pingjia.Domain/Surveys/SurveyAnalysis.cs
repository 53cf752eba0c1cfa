namespace Pingjia.Domain.Surveys;

/// <summary>How many answers a category had, its share and the share's 95% Wilson interval.</summary>
public sealed record CategoryShare(string Code, string Label, long Count, double Share, Interval Ci);

/// <summary>
/// Post-stratified figures of a cell that spans several strata. Each stratum h present in the cell gets the weight
/// w_h = P'_h · n / n_h, where P'_h is its population share renormalised over the strata present (so Σw = n).
/// Mean = Σ P'_h · mean_h; variance = Σ w_i (x_i − mean_w)² / (n − 1); Kish effective n = (Σw)² / Σw²;
/// intervals use the effective n (t with n_eff − 1 degrees of freedom for the mean, Wilson for the rate).
/// </summary>
public sealed record WeightedFigures(
    double Mean, double? Variance, double? StdDev, Interval? MeanCi, double? SatisfactionRate, Interval? RateCi, double? Index, Interval? IndexCi,
    double EffectiveN, double DesignEffect, IReadOnlyList<string> StrataWithoutAnswers);

/// <summary>
/// The figures of one cell (question × unit × stratum, or a margin). n counts answers to the question. Mean, variance
/// (sample, divisor n − 1), standard deviation and the t interval are for Likert and number questions; the satisfaction rate
/// (share at or above the scale's satisfied point, Wilson interval) and the index ((mean − 1) / (k − 1) × 100) for Likert.
/// A figure that the data cannot give (an interval from one answer) is null.
/// </summary>
public sealed record CellStats(
    long N, bool BelowMinN, IReadOnlyList<CategoryShare>? Distribution, double? Mean, double? Variance, double? StdDev, Interval? MeanCi,
    long? Satisfied, double? SatisfactionRate, Interval? RateCi, double? Index, Interval? IndexCi, WeightedFigures? Weighted)
{
    /// <summary>The exact moments behind the mean, for comparisons (not on the wire).</summary>
    internal Moments Moments { get; init; }

    internal int ScalePoints { get; init; }
}

public sealed record StratumResult(string Stratum, CellStats Stats);

public sealed record UnitResult(string Unit, CellStats Stats, IReadOnlyList<StratumResult> Strata);

public sealed record QuestionResult(string Code, string Text, QuestionType Type, int? ScalePoints, CellStats Overall, IReadOnlyList<UnitResult> Units);

/// <summary>Every question's figures overall, per unit, and per unit and stratum.</summary>
public sealed record SurveyResults(long Responses, int MinN, bool Weighted, IReadOnlyList<QuestionResult> Questions)
{
    public QuestionResult? Question(string code) => Questions.FirstOrDefault(q => q.Code == code);
}

/// <summary>Options of an analysis: the n below which figures are flagged, and whether to post-stratify.</summary>
public sealed record AnalysisOptions(int MinN = 30, bool Weighted = true);

/// <summary>
/// Analyses a survey in one pass over each question's column: counts per unit × stratum × category (or moments for
/// numbers), from which every figure and margin follows exactly. Pure: same data, same result.
/// </summary>
public static class SurveyAnalysis
{
    public static SurveyResults Analyse(SurveyData data, AnalysisOptions? options = null)
    {
        options ??= new AnalysisOptions();
        var qs = data.Questionnaire.Questions;
        var results = new QuestionResult[qs.Count];
        var shares = Shares(data.Strata, options.Weighted);
        // Questions are independent: analyse them side by side.
        Parallel.For(0, qs.Count, q => results[q] = Question(data, q, shares, options.MinN));
        return new SurveyResults(data.Count, options.MinN, shares is not null, results);
    }

    /// <summary>Normalised population shares, or null when weighting is off or a stratum lacks a share.</summary>
    private static double[]? Shares(IReadOnlyList<StratumDefinition> strata, bool weighted)
    {
        if (!weighted || strata.Count < 2 || strata.Any(s => s.PopulationShare is not > 0))
        {
            return null;
        }

        var total = strata.Sum(s => s.PopulationShare!.Value);
        return [.. strata.Select(s => s.PopulationShare!.Value / total)];
    }

    private static QuestionResult Question(SurveyData data, int qi, double[]? shares, int minN)
    {
        var q = data.Questionnaire.Questions[qi];
        int units = data.Units.Count, strata = data.Strata.Count;
        var unitCol = data.UnitColumn;
        var stratumCol = data.StratumColumn;
        var rows = data.Count;
        Func<int, int, CellStats> cell;
        Func<int, CellStats> unitMargin;
        Func<CellStats> overall;
        switch (q.Type)
        {
            case QuestionType.Likert or QuestionType.SingleChoice:
            {
                var k = q.Categories;
                var counts = new long[units * strata * k];
                var col = data.Category(qi);
                for (var r = 0; r < rows; r++)
                {
                    var v = col[r];
                    if (v > 0)
                    {
                        counts[(((unitCol[r] * strata) + stratumCol[r]) * k) + v - 1]++;
                    }
                }

                long[] Sum(IEnumerable<int> cellIndexes)
                {
                    var sum = new long[k];
                    foreach (var c in cellIndexes)
                    {
                        for (var v = 0; v < k; v++)
                        {
                            sum[v] += counts[(c * k) + v];
                        }
                    }

                    return sum;
                }

                long[] CellCounts(int u, int h) => counts.AsSpan(((u * strata) + h) * k, k).ToArray();
                cell = (u, h) => Categorical(q, CellCounts(u, h), null, minN);
                unitMargin = u => Categorical(q, Sum(Enumerable.Range(u * strata, strata)), shares is null ? null : [.. Enumerable.Range(0, strata).Select(h => CellCounts(u, h))], minN, shares, data.Strata);
                overall = () =>
                {
                    var perStratum = Enumerable.Range(0, strata).Select(h => Sum(Enumerable.Range(0, units).Select(u => (u * strata) + h))).ToArray();
                    return Categorical(q, Sum(Enumerable.Range(0, units * strata)), shares is null ? null : perStratum, minN, shares, data.Strata);
                };
                break;
            }

            case QuestionType.MultipleChoice:
            {
                var k = q.Categories;
                var counts = new long[units * strata * (k + 1)]; // [.., 0] respondents, [.., 1 + i] chose option i
                var col = data.Multi(qi);
                for (var r = 0; r < rows; r++)
                {
                    var mask = col[r];
                    if (mask == 0)
                    {
                        continue;
                    }

                    var baseIndex = ((unitCol[r] * strata) + stratumCol[r]) * (k + 1);
                    counts[baseIndex]++;
                    while (mask != 0)
                    {
                        var bit = System.Numerics.BitOperations.TrailingZeroCount(mask);
                        counts[baseIndex + 1 + bit]++;
                        mask &= mask - 1;
                    }
                }

                long[] Sum(IEnumerable<int> cellIndexes)
                {
                    var sum = new long[k + 1];
                    foreach (var c in cellIndexes)
                    {
                        for (var v = 0; v <= k; v++)
                        {
                            sum[v] += counts[(c * (k + 1)) + v];
                        }
                    }

                    return sum;
                }

                cell = (u, h) => Multiple(q, Sum([(u * strata) + h]), minN);
                unitMargin = u => Multiple(q, Sum(Enumerable.Range(u * strata, strata)), minN);
                overall = () => Multiple(q, Sum(Enumerable.Range(0, units * strata)), minN);
                break;
            }

            case QuestionType.Number:
            {
                var moments = new Moments[units * strata];
                var col = data.Number(qi);
                for (var r = 0; r < rows; r++)
                {
                    var x = col[r];
                    if (!double.IsNaN(x))
                    {
                        var c = (unitCol[r] * strata) + stratumCol[r];
                        moments[c] = moments[c].Add(x);
                    }
                }

                Moments Sum(IEnumerable<int> cells) => cells.Aggregate(Moments.Empty, (m, c) => m.Combine(moments[c]));
                cell = (u, h) => Numeric(moments[(u * strata) + h], null, minN, null, data.Strata, 0);
                unitMargin = u => Numeric(Sum(Enumerable.Range(u * strata, strata)), [.. Enumerable.Range(0, strata).Select(h => moments[(u * strata) + h])], minN, shares, data.Strata, 0);
                overall = () => Numeric(Sum(Enumerable.Range(0, units * strata)),
                    [.. Enumerable.Range(0, strata).Select(h => Sum(Enumerable.Range(0, units).Select(u => (u * strata) + h)))], minN, shares, data.Strata, 0);
                break;
            }

            default:
            {
                var counts = new long[units * strata];
                var col = data.Category(qi);
                for (var r = 0; r < rows; r++)
                {
                    if (col[r] > 0)
                    {
                        counts[(unitCol[r] * strata) + stratumCol[r]]++;
                    }
                }

                CellStats Text(long n) => new(n, n < minN, null, null, null, null, null, null, null, null, null, null, null);
                cell = (u, h) => Text(counts[(u * strata) + h]);
                unitMargin = u => Text(counts.AsSpan(u * strata, strata).ToArray().Sum());
                overall = () => Text(counts.Sum());
                break;
            }
        }

        var unitResults = new UnitResult[units];
        for (var u = 0; u < units; u++)
        {
            var perStratum = new StratumResult[strata];
            for (var h = 0; h < strata; h++)
            {
                perStratum[h] = new StratumResult(data.Strata[h].Code, cell(u, h));
            }

            unitResults[u] = new UnitResult(data.Units[u], unitMargin(u), perStratum);
        }

        return new QuestionResult(q.Code, q.Text, q.Type, q.Type == QuestionType.Likert ? q.Scale!.Points : null, overall(), unitResults);
    }

    /// <summary>The figures of a Likert or single-choice question from its counts per category (a live tally, a cross-check).</summary>
    public static CellStats FromCounts(Question question, long[] counts, int minN)
    {
        if (!question.IsCategorical || counts.Length != question.Categories)
        {
            throw new ArgumentException("Counts must match the question's categories.", nameof(counts));
        }

        return Categorical(question, counts, null, minN);
    }

    /// <summary>Figures of a Likert or single-choice cell from its category counts (and, for weighting, its strata's counts).</summary>
    internal static CellStats Categorical(Question q, long[] counts, long[][]? strataCounts, int minN, double[]? shares = null, IReadOnlyList<StratumDefinition>? strata = null)
    {
        var n = counts.Sum();
        var distribution = new CategoryShare[counts.Length];
        for (var v = 0; v < counts.Length; v++)
        {
            var share = n == 0 ? 0 : (double)counts[v] / n;
            var (code, label) = q.Type == QuestionType.Likert
                ? ((v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), q.Scale!.Labels[v])
                : (q.Options![v].Code, q.Options[v].Label);
            distribution[v] = new CategoryShare(code, label, counts[v], share, WilsonInterval.Of(share, n));
        }

        if (q.Type != QuestionType.Likert)
        {
            return new CellStats(n, n < minN, distribution, null, null, null, null, null, null, null, null, null, null);
        }

        var k = q.Scale!.Points;
        var moments = Moments.OfCounts(counts);
        var satisfied = counts.AsSpan(q.Scale.SatisfiedFrom - 1).ToArray().Sum();
        WeightedFigures? weighted = null;
        if (shares is not null && strataCounts is not null)
        {
            var parts = strataCounts.Select(c => (Moments.OfCounts(c), (double)c.AsSpan(q.Scale.SatisfiedFrom - 1).ToArray().Sum())).ToArray();
            weighted = Weighted(parts, shares, strata!, k);
        }

        return Describe(moments, minN, k, satisfied, weighted, distribution);
    }

    private static CellStats Numeric(Moments moments, Moments[]? strataMoments, int minN, double[]? shares, IReadOnlyList<StratumDefinition> strata, int k)
    {
        WeightedFigures? weighted = null;
        if (shares is not null && strataMoments is not null)
        {
            weighted = Weighted([.. strataMoments.Select(m => (m, 0.0))], shares, strata, k);
        }

        return Describe(moments, minN, k, null, weighted, null);
    }

    private static CellStats Multiple(Question q, long[] counts, int minN)
    {
        var n = counts[0];
        var distribution = new CategoryShare[q.Categories];
        for (var i = 0; i < distribution.Length; i++)
        {
            var share = n == 0 ? 0 : (double)counts[i + 1] / n;
            distribution[i] = new CategoryShare(q.Options![i].Code, q.Options[i].Label, counts[i + 1], share, WilsonInterval.Of(share, n));
        }

        return new CellStats(n, n < minN, distribution, null, null, null, null, null, null, null, null, null, null);
    }

    /// <summary>Mean, variance, interval and (for a k-point scale, k &gt; 0) satisfaction figures from exact moments.</summary>
    internal static CellStats Describe(Moments m, int minN, int k, long? satisfied, WeightedFigures? weighted, IReadOnlyList<CategoryShare>? distribution)
    {
        var n = (long)m.N;
        double? mean = n > 0 ? m.Mean : null;
        double? variance = n >= 2 ? m.Variance : null;
        double? sd = variance is { } v ? Math.Sqrt(v) : null;
        Interval? ci = null;
        if (variance is not null)
        {
            var half = StudentT.Critical95(n - 1) * sd!.Value / Math.Sqrt(n);
            ci = new Interval(m.Mean - half, m.Mean + half);
        }

        double? rate = null, index = null;
        Interval? rateCi = null, indexCi = null;
        if (k >= 2 && n > 0)
        {
            rate = (double)satisfied!.Value / n;
            rateCi = WilsonInterval.Of(rate.Value, n);
            index = IndexOf(m.Mean, k);
            indexCi = ci?.Map(x => IndexOf(x, k));
        }

        return new CellStats(n, n < minN, distribution, mean, variance, sd, ci, k >= 2 ? satisfied : null, rate, rateCi, index, indexCi, weighted)
        {
            Moments = m,
            ScalePoints = k,
        };
    }

    /// <summary>The satisfaction index on 0–100 of a mean on a k-point scale: (mean − 1) / (k − 1) × 100.</summary>
    public static double IndexOf(double mean, int k) => (mean - 1) / (k - 1) * 100;

    /// <summary>Post-stratified figures from each stratum's moments and satisfied count (see <see cref="WeightedFigures"/>).</summary>
    internal static WeightedFigures? Weighted((Moments M, double Satisfied)[] parts, double[] shares, IReadOnlyList<StratumDefinition> strata, int k)
    {
        double present = 0, n = 0;
        var missing = new List<string>();
        for (var h = 0; h < parts.Length; h++)
        {
            if (parts[h].M.N > 0)
            {
                present += shares[h];
                n += parts[h].M.N;
            }
            else
            {
                missing.Add(strata[h].Code);
            }
        }

        if (n == 0 || present <= 0)
        {
            return null;
        }

        double mean = 0, rate = 0, sumW2 = 0;
        for (var h = 0; h < parts.Length; h++)
        {
            var (m, sat) = parts[h];
            if (m.N == 0)
            {
                continue;
            }

            var p = shares[h] / present;
            var w = p * n / m.N;
            mean += p * m.Mean;
            rate += p * sat / m.N;
            sumW2 += m.N * w * w;
        }

        double ss = 0;
        for (var h = 0; h < parts.Length; h++)
        {
            var m = parts[h].M;
            if (m.N == 0)
            {
                continue;
            }

            var w = shares[h] / present * n / m.N;
            var d = m.Mean - mean;
            ss += w * (m.M2 + (m.N * d * d));
        }

        var effective = n * n / sumW2;
        double? variance = n >= 2 ? ss / (n - 1) : null;
        double? sd = variance is { } v ? Math.Sqrt(v) : null;
        Interval? ci = null;
        if (sd is not null && effective > 1)
        {
            var half = StudentT.Quantile(0.975, effective - 1) * sd.Value / Math.Sqrt(effective);
            ci = new Interval(mean - half, mean + half);
        }

        var scale = k >= 2;
        return new WeightedFigures(
            mean, variance, sd, ci,
            scale ? rate : null, scale ? WilsonInterval.Of(rate, effective) : null,
            scale ? IndexOf(mean, k) : null, scale ? ci?.Map(x => IndexOf(x, k)) : null,
            effective, n / effective, missing);
    }
}
