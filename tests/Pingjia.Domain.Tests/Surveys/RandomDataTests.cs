using Pingjia.Domain.Surveys;

namespace Pingjia.Domain.Tests.Surveys;

/// <summary>
/// The analysis against a straightforward recomputation inside the test: lists of values per cell, two-pass mean and
/// variance, weights per respondent, Kish's formula written out. Seeds are fixed so a failure can be replayed.
/// </summary>
public sealed class RandomDataTests
{
    private static readonly Questionnaire Q = Questionnaire.Create([
        new Section("s", "测评", [
            new Question("l4", "四级", QuestionType.Likert, Scale: LikertScale.FourLevel),
            new Question("l5", "五级", QuestionType.Likert, Scale: LikertScale.FiveLevel),
            new Question("num", "数值", QuestionType.Number),
        ]),
    ]);

    private sealed record Row(int Unit, int Stratum, int L4, int L5, double Num);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Analyse_RandomData_EqualsDirectComputation(int seed)
    {
        var random = new Random(seed);
        string[] units = ["U0", "U1", "U2"];
        double[] shares = [0.5, 0.3, 0.2];
        var strata = new[] { "S0", "S1", "S2" }.Select((s, i) => new StratumDefinition(s, s, PopulationShare: shares[i] * 7)).ToList();
        var data = new SurveyData(Q, units, strata);
        var rows = new List<Row>();
        for (var i = 0; i < 2000; i++)
        {
            // Unequal cells and missing answers, so weights and item non-response both matter.
            var row = new Row(random.Next(3), random.NextDouble() < 0.6 ? 0 : random.Next(1, 3),
                random.NextDouble() < 0.1 ? 0 : random.Next(1, 5), random.NextDouble() < 0.05 ? 0 : random.Next(1, 6),
                random.NextDouble() < 0.2 ? double.NaN : Math.Round((random.NextDouble() * 1000) + 1e6, 2));
            rows.Add(row);
            var answers = new Dictionary<string, Answer>();
            if (row.L4 > 0)
            {
                answers["l4"] = new Answer(Scale: row.L4);
            }

            if (row.L5 > 0)
            {
                answers["l5"] = new Answer(Scale: row.L5);
            }

            if (!double.IsNaN(row.Num))
            {
                answers["num"] = new Answer(Number: (decimal)row.Num);
            }

            data.Add(units[row.Unit], strata[row.Stratum].Code, answers);
        }

        var result = SurveyAnalysis.Analyse(data, new AnalysisOptions(MinN: 30));
        foreach (var (code, pick, k) in new (string, Func<Row, double>, int)[]
                 {
                     ("l4", r => r.L4 == 0 ? double.NaN : r.L4, 4),
                     ("l5", r => r.L5 == 0 ? double.NaN : r.L5, 5),
                     ("num", r => r.Num, 0),
                 })
        {
            var q = result.Question(code)!;
            CheckCell(rows.Select(pick).ToList(), q.Overall, k, rows, pick, shares, weighted: true);
            for (var u = 0; u < units.Length; u++)
            {
                var inUnit = rows.Where(r => r.Unit == u).ToList();
                CheckCell(inUnit.Select(pick).ToList(), q.Units[u].Stats, k, inUnit, pick, shares, weighted: true);
                for (var h = 0; h < strata.Count; h++)
                {
                    var cell = inUnit.Where(r => r.Stratum == h).Select(pick).ToList();
                    CheckCell(cell, q.Units[u].Strata[h].Stats, k, null, pick, shares, weighted: false);
                }
            }
        }
    }

    private static void CheckCell(List<double> all, CellStats s, int k, List<Row>? rows, Func<Row, double> pick, double[] shares, bool weighted)
    {
        var x = all.Where(v => !double.IsNaN(v)).ToList();
        Assert.Equal(x.Count, s.N);
        Assert.Equal(x.Count < 30, s.BelowMinN);
        var n = x.Count;
        var mean = x.Sum() / n;
        var variance = x.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var tol = Math.Max(1e-9, Math.Abs(mean) * 1e-12);
        Assert.InRange(s.Mean!.Value, mean - tol, mean + tol);
        Assert.Equal(variance, s.Variance!.Value, variance * 1e-9);
        Assert.Equal(Math.Sqrt(variance), s.StdDev!.Value, Math.Sqrt(variance) * 1e-9);
        var half = StudentT.Quantile(0.975, n - 1) * Math.Sqrt(variance / n);
        Assert.Equal(mean - half, s.MeanCi!.Value.Lower, 1e-7 * Math.Max(1, Math.Abs(mean)));
        Assert.Equal(mean + half, s.MeanCi!.Value.Upper, 1e-7 * Math.Max(1, Math.Abs(mean)));
        if (k > 0)
        {
            var satisfied = x.Count(v => v >= 3);
            Assert.Equal(satisfied, s.Satisfied);
            Assert.Equal((double)satisfied / n, s.SatisfactionRate!.Value, 12);
            Assert.Equal((mean - 1) / (k - 1) * 100, s.Index!.Value, 9);
            Assert.Equal(n, s.Distribution!.Sum(c => c.Count));
        }

        if (!weighted || rows is null)
        {
            Assert.Null(s.Weighted);
            return;
        }

        // Each respondent's weight: population share of its stratum over the stratum's share of the answers in this cell.
        var answered = rows.Where(r => !double.IsNaN(pick(r))).ToList();
        var nh = answered.GroupBy(r => r.Stratum).ToDictionary(g => g.Key, g => g.Count());
        var present = nh.Keys.Sum(h => shares[h]);
        var w = answered.Select(r => shares[r.Stratum] / present / ((double)nh[r.Stratum] / n)).ToList();
        var values = answered.Select(pick).ToList();
        double sw = w.Sum(), sw2 = w.Sum(v => v * v);
        var wmean = w.Zip(values, (a, b) => a * b).Sum() / sw;
        var kish = sw * sw / sw2;
        var wvar = w.Zip(values, (a, b) => a * (b - wmean) * (b - wmean)).Sum() / (n - 1);
        Assert.Equal(n, sw, 1e-9);
        Assert.Equal(wmean, s.Weighted!.Mean, 1e-9 * Math.Max(1, Math.Abs(wmean)));
        Assert.Equal(kish, s.Weighted.EffectiveN, 1e-9);
        Assert.Equal(n / kish, s.Weighted.DesignEffect, 1e-12);
        Assert.Equal(wvar, s.Weighted.Variance!.Value, wvar * 1e-8);
        var whalf = StudentT.Quantile(0.975, kish - 1) * Math.Sqrt(wvar / kish);
        Assert.Equal(wmean + whalf, s.Weighted.MeanCi!.Value.Upper, 1e-7 * Math.Max(1, Math.Abs(wmean)));
        if (k > 0)
        {
            var wrate = w.Zip(values, (a, b) => b >= 3 ? a : 0).Sum() / sw;
            Assert.Equal(wrate, s.Weighted.SatisfactionRate!.Value, 1e-12);
            Assert.Equal((wmean - 1) / (k - 1) * 100, s.Weighted.Index!.Value, 1e-9);
            var wilson = WilsonInterval.Of(wrate, kish);
            Assert.Equal(wilson.Lower, s.Weighted.RateCi!.Value.Lower, 1e-12);
        }
    }
}
