using System.Globalization;

namespace Pingjia.Domain.Surveys;

/// <summary>Kinds of integrity flag. Flags go to review; nothing is deleted or left out because of them.</summary>
public static class IntegrityKinds
{
    /// <summary>Two or more responses with the same respondent key (blind index of a phone number, ID or personal link).</summary>
    public const string DuplicateRespondent = "duplicate_respondent";

    /// <summary>Every Likert answer of a response has the same value, over at least the configured number of questions.</summary>
    public const string StraightLining = "straight_lining";

    /// <summary>An interviewer's responses differ from the other interviewers' in the same units by more than chance explains.</summary>
    public const string InterviewerEffect = "interviewer_effect";
}

/// <summary>One finding: which responses (by id), of which interviewer when it is about one, and why.</summary>
public sealed record IntegrityFlag(string Kind, IReadOnlyList<Guid> Responses, string? Interviewer, string Detail);

/// <summary>
/// Thresholds of the integrity scan. Straight-lining needs at least <see cref="StraightLiningMinItems"/> Likert answers.
/// An interviewer with at least <see cref="InterviewerMinN"/> responses is flagged when the mean of their responses'
/// residuals (response index 0–100 − the median of the interviewer means in its unit) differs from zero by a one-sample t test with
/// p &lt; <see cref="InterviewerAlpha"/> and by at least <see cref="InterviewerMinPoints"/> index points.
/// </summary>
public sealed record IntegrityOptions(int StraightLiningMinItems = 5, int InterviewerMinN = 20, double InterviewerAlpha = 0.001, double InterviewerMinPoints = 5);

public static class SurveyIntegrity
{
    public static IReadOnlyList<IntegrityFlag> Scan(SurveyData data, IntegrityOptions? options = null)
    {
        options ??= new IntegrityOptions();
        var flags = new List<IntegrityFlag>();
        var qs = data.Questionnaire.Questions;
        var likert = Enumerable.Range(0, qs.Count).Where(i => qs[i].Type == QuestionType.Likert).ToArray();

        // Duplicate respondents: the same key more than once.
        foreach (var group in Enumerable.Range(0, data.Count)
                     .Where(r => data.RespondentOf(r) is not null)
                     .GroupBy(r => data.RespondentOf(r)!, StringComparer.Ordinal)
                     .Where(g => g.Count() > 1))
        {
            flags.Add(new IntegrityFlag(IntegrityKinds.DuplicateRespondent, [.. group.Select(data.IdOf)], null,
                $"{group.Count()} responses share one respondent key."));
        }

        // Per response: its index over answered Likert questions, and straight-lining.
        var score = new double[data.Count];
        for (var r = 0; r < data.Count; r++)
        {
            int answered = 0, first = 0;
            var same = true;
            double sum = 0;
            foreach (var q in likert)
            {
                var v = data.Category(q)[r];
                if (v == 0)
                {
                    continue;
                }

                if (answered == 0)
                {
                    first = v;
                }
                else if (v != first)
                {
                    same = false;
                }

                answered++;
                sum += SurveyAnalysis.IndexOf(v, qs[q].Scale!.Points);
            }

            score[r] = answered == 0 ? double.NaN : sum / answered;
            if (same && answered >= options.StraightLiningMinItems)
            {
                flags.Add(new IntegrityFlag(IntegrityKinds.StraightLining, [data.IdOf(r)], data.InterviewerOf(r),
                    string.Create(CultureInfo.InvariantCulture, $"All {answered} scale answers are {first}.")));
            }
        }

        // Interviewer effects: each response's index against a robust reference of its unit, the median of the unit's
        // interviewer means, so that differences between units, and one strong outlier's pull on a plain mean, do not count.
        var cells = new Dictionary<(string Who, int Unit), Moments>();
        for (var r = 0; r < data.Count; r++)
        {
            if (data.InterviewerOf(r) is { } who && !double.IsNaN(score[r]))
            {
                var key = (who, data.UnitOf(r));
                cells[key] = cells.GetValueOrDefault(key).Add(score[r]);
            }
        }

        var reference = cells.GroupBy(c => c.Key.Unit).ToDictionary(g => g.Key, g => Median([.. g.Select(c => c.Value.Mean)]));
        var interviewers = cells.Keys.Select(k => k.Who).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var who in interviewers.Count >= 2 ? interviewers : [])
        {
            var own = cells.Where(c => c.Key.Who == who)
                .Aggregate(Moments.Empty, (acc, c) => acc.Combine(new Moments(c.Value.N, c.Value.Mean - reference[c.Key.Unit], c.Value.M2)));
            if (own.N < options.InterviewerMinN || own.N < 2)
            {
                continue;
            }

            var se = Math.Sqrt(own.Variance / own.N);
            var t = se == 0 ? (own.Mean == 0 ? 0 : double.PositiveInfinity) : own.Mean / se;
            var p = double.IsInfinity(t) ? 0 : StudentT.TwoSidedP(t, own.N - 1);
            if (p < options.InterviewerAlpha && Math.Abs(own.Mean) >= options.InterviewerMinPoints)
            {
                var rows = Enumerable.Range(0, data.Count).Where(r => data.InterviewerOf(r) == who).Select(data.IdOf).ToList();
                flags.Add(new IntegrityFlag(IntegrityKinds.InterviewerEffect, rows, who, string.Create(CultureInfo.InvariantCulture,
                    $"{own.N:0} responses average {own.Mean:+0.0;-0.0} index points from the median interviewer of the same units (t = {t:0.00}, p = {p:0.####e+0}).")));
            }
        }

        return flags;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}

/// <summary>
/// A unit's survey figure for assessments: the satisfaction rate and index over the chosen Likert questions of one survey
/// and period, with the n behind it; a unit without answers has no figure (null), never a silent zero. <see cref="Value"/> is the chosen figure in [0, 1] (a FigureScore leaf with its
/// default range takes it); <see cref="ValueOf"/> gives it on the 0–100 scale that the assessments' survey leaf expects.
/// </summary>
public sealed record SurveyUnitFigure(string Unit, string Basis, decimal? SatisfactionRate, decimal? SatisfactionIndex, decimal? Value, long Answers, long MinAnswersPerQuestion, bool BelowMinN, bool Weighted)
{
    /// <summary>
    /// The figure an assessment survey leaf names, on 0–100: <c>satisfaction_index</c> (the index itself) or
    /// <c>satisfaction_rate</c> (the rate in percent).
    /// </summary>
    public decimal? ValueOf(string figure) => figure switch
    {
        "satisfaction_index" => SatisfactionIndex,
        "satisfaction_rate" => SatisfactionRate * 100,
        _ => throw DomainException.Invalid("unknown_figure", $"Unknown survey figure {figure}: satisfaction_index or satisfaction_rate.", "figure"),
    };
}

public static class SurveyFigures
{
    /// <summary>
    /// Per unit: the satisfaction index is the mean of the chosen questions' indexes (weighted ones when the analysis was
    /// weighted), the satisfaction rate the mean of their rates; questions a unit has no answers to are left out.
    /// <paramref name="basis"/> <c>index</c> gives Value = index / 100; <c>rate</c> gives Value = rate. Rounded to 6 places.
    /// </summary>
    public static IReadOnlyList<SurveyUnitFigure> ForUnits(SurveyResults results, IReadOnlyList<string>? questions = null, string basis = "index")
    {
        if (basis is not ("index" or "rate"))
        {
            throw DomainException.Invalid("invalid_basis", "basis is index or rate.", "basis");
        }

        var chosen = results.Questions.Where(q => q.Type == QuestionType.Likert && (questions is null || questions.Contains(q.Code))).ToList();
        if (chosen.Count == 0 || (questions is not null && chosen.Count != questions.Distinct().Count()))
        {
            throw DomainException.Invalid("no_scale_questions", "The figure needs Likert questions of this survey.", "questions");
        }

        var list = new List<SurveyUnitFigure>();
        foreach (var unit in chosen[0].Units.Select(u => u.Unit))
        {
            var cells = chosen.Select(q => q.Units.First(u => u.Unit == unit).Stats).Where(c => c.N > 0).ToList();
            if (cells.Count == 0)
            {
                list.Add(new SurveyUnitFigure(unit, basis, null, null, null, 0, 0, true, results.Weighted));
                continue;
            }

            var index = cells.Average(c => c.Weighted?.Index ?? c.Index!.Value);
            var rate = cells.Average(c => c.Weighted?.SatisfactionRate ?? c.SatisfactionRate!.Value);
            var rounded = (decimal)Math.Round(index, 6);
            var rateRounded = (decimal)Math.Round(rate, 6);
            list.Add(new SurveyUnitFigure(unit, basis, rateRounded, rounded, basis == "index" ? Math.Round(rounded / 100, 6) : rateRounded,
                cells.Sum(c => c.N), cells.Min(c => c.N), cells.Count < chosen.Count || cells.Any(c => c.BelowMinN), results.Weighted));
        }

        return list;
    }
}
