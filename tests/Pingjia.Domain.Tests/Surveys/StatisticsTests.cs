using Pingjia.Domain.Surveys;

namespace Pingjia.Domain.Tests.Surveys;

public sealed class DistributionTests
{
    // Two-sided 95% (p = 0.975) and other critical values of Student's t from the published tables
    // (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2), to the 3 decimals printed there.
    [Theory]
    [InlineData(0.975, 1, 12.706)]
    [InlineData(0.975, 2, 4.303)]
    [InlineData(0.975, 3, 3.182)]
    [InlineData(0.975, 5, 2.571)]
    [InlineData(0.975, 10, 2.228)]
    [InlineData(0.975, 20, 2.086)]
    [InlineData(0.975, 30, 2.042)]
    [InlineData(0.975, 60, 2.000)]
    [InlineData(0.975, 100, 1.984)]
    [InlineData(0.95, 4, 2.132)]
    [InlineData(0.995, 10, 3.169)]
    [InlineData(0.999, 5, 5.893)]
    [InlineData(0.90, 1, 3.078)]
    public void Quantile_PublishedTable_MatchesToThreeDecimals(double p, double df, double expected)
    {
        Assert.Equal(expected, StudentT.Quantile(p, df), 3);
        Assert.Equal(-expected, StudentT.Quantile(1 - p, df), 3);
    }

    [Fact]
    public void Quantile_LargeDf_ApproachesNormal()
    {
        Assert.Equal(1.959964, StudentT.Quantile(0.975, 1e7), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2.5)]
    [InlineData(7.99686)]
    [InlineData(40)]
    public void Cdf_OfQuantile_GivesBackP(double df)
    {
        foreach (var p in new[] { 0.01, 0.2, 0.5, 0.8, 0.975, 0.999 })
        {
            Assert.Equal(p, StudentT.Cdf(StudentT.Quantile(p, df), df), 10);
        }
    }

    [Fact]
    public void Cdf_OneDegreeOfFreedom_IsCauchy()
    {
        // With df = 1, t is Cauchy: F(t) = 1/2 + atan(t)/π.
        foreach (var t in new[] { -5.0, -1, 0, 0.3, 2, 40 })
        {
            Assert.Equal(0.5 + (Math.Atan(t) / Math.PI), StudentT.Cdf(t, 1), 12);
        }
    }

    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(9.487729, 4, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(18.307038, 10, 0.05)]
    public void ChiSquare_PublishedCriticalValues_GiveTheirP(double x, double df, double p)
    {
        Assert.Equal(p, ChiSquare.UpperP(x, df), 6);
    }

    [Fact]
    public void Wilson_FourOfSix_MatchesHandWorked()
    {
        // p = 4/6, z² = 3.841459: centre 0.986788, margin 0.494728, denominator 1.640243 → (0.300, 0.903).
        var ci = WilsonInterval.Of(4.0 / 6, 6);
        Assert.Equal(0.29999, ci.Lower, 4);
        Assert.Equal(0.90322, ci.Upper, 4);
    }

    [Fact]
    public void Moments_WithoutPart_EqualsMomentsOfTheRest()
    {
        var all = new[] { 1.0, 4, 4, 2, 3, 5, 2.5 };
        var whole = all.Aggregate(Moments.Empty, (m, x) => m.Add(x));
        var part = all[..3].Aggregate(Moments.Empty, (m, x) => m.Add(x));
        var rest = all[3..].Aggregate(Moments.Empty, (m, x) => m.Add(x));
        var derived = whole.Without(part);
        Assert.Equal(rest.N, derived.N);
        Assert.Equal(rest.Mean, derived.Mean, 12);
        Assert.Equal(rest.M2, derived.M2, 10);
        Assert.Equal(whole.M2, part.Combine(rest).M2, 10);
    }
}

public sealed class AnalysisHandWorkedTests
{
    internal static readonly Questionnaire Four = Questionnaire.Create([
        new Section("s1", "总体评价", [
            new Question("q1", "您对该单位的总体满意程度", QuestionType.Likert, Required: true, Scale: LikertScale.FourLevel),
            new Question("q2", "等候时间（分钟）", QuestionType.Number, Min: 0, Max: 600),
            new Question("q3", "您办理的业务", QuestionType.SingleChoice, Options: [new("a", "社保"), new("b", "户籍"), new("c", "其他")]),
            new Question("q4", "您通过哪些渠道了解", QuestionType.MultipleChoice, Options: [new("web", "网站"), new("tv", "电视"), new("friend", "亲友")]),
            new Question("q5", "意见建议", QuestionType.Text),
        ]),
    ]);

    private static SurveyData Data(double? shareA = null, double? shareB = null) => new(Four, ["U1", "U2"],
        [new StratumDefinition("A", "服务对象", PopulationShare: shareA), new StratumDefinition("B", "人大代表", PopulationShare: shareB)]);

    private static void Add(SurveyData d, string unit, string stratum, int q1, decimal? q2 = null, string? q3 = null, string[]? q4 = null)
    {
        var answers = new Dictionary<string, Answer> { ["q1"] = new(Scale: q1) };
        if (q2 is not null)
        {
            answers["q2"] = new Answer(Number: q2);
        }

        if (q3 is not null)
        {
            answers["q3"] = new Answer(Choice: q3);
        }

        if (q4 is not null)
        {
            answers["q4"] = new Answer(Choices: q4);
        }

        d.Add(unit, stratum, answers, Guid.NewGuid());
    }

    [Fact]
    public void Likert_SixAnswers_MatchHandWorkedFigures()
    {
        // Answers 4, 4, 3, 2, 4, 1 on the four-level scale:
        // n = 6, sum 18, mean 3; squared deviations 1+1+0+1+1+4 = 8, variance 8/5 = 1.6, sd √1.6 = 1.264911;
        // SE = sd/√6 = 0.516398; t(0.975, 5) = 2.570582; half-width 1.327443 → CI (1.672557, 4.327443).
        // Satisfied (比较满意 or 满意, values 3–4): 4 of 6 = 0.666667; index (3 − 1)/(4 − 1) × 100 = 66.6667.
        var d = Data();
        foreach (var v in new[] { 4, 4, 3, 2 })
        {
            Add(d, "U1", "A", v);
        }

        Add(d, "U1", "B", 4);
        Add(d, "U1", "B", 1);
        var r = SurveyAnalysis.Analyse(d, new AnalysisOptions(MinN: 5));
        var s = r.Question("q1")!.Units[0].Stats;
        Assert.Equal(6, s.N);
        Assert.False(s.BelowMinN);
        Assert.Equal(3.0, s.Mean!.Value, 12);
        Assert.Equal(1.6, s.Variance!.Value, 12);
        Assert.Equal(1.264911, s.StdDev!.Value, 6);
        Assert.Equal(1.672557, s.MeanCi!.Value.Lower, 5);
        Assert.Equal(4.327443, s.MeanCi!.Value.Upper, 5);
        Assert.Equal(4, s.Satisfied);
        Assert.Equal(0.666667, s.SatisfactionRate!.Value, 6);
        Assert.Equal(66.6667, s.Index!.Value, 4);
        // The index interval is the mean's, mapped: (1.672557 − 1)/3 × 100 = 22.4186.
        Assert.Equal(22.4186, s.IndexCi!.Value.Lower, 4);
        Assert.Equal([1L, 1, 1, 3], s.Distribution!.Select(c => c.Count));
        Assert.Equal("满意", s.Distribution![3].Label);
        Assert.Equal(0.5, s.Distribution![3].Share, 12);
        Assert.Null(s.Weighted); // no population shares: no weights
        // Stratum B alone (4, 1): mean 2.5, variance 4.5; the unit U2 has nothing and is flagged.
        var b = r.Question("q1")!.Units[0].Strata[1].Stats;
        Assert.Equal(2.5, b.Mean!.Value, 12);
        Assert.Equal(4.5, b.Variance!.Value, 12);
        Assert.True(b.BelowMinN);
        var empty = r.Question("q1")!.Units[1].Stats;
        Assert.Equal(0, empty.N);
        Assert.True(empty.BelowMinN);
        Assert.Null(empty.Mean);
    }

    [Fact]
    public void Likert_OneAnswer_HasNoVarianceOrInterval()
    {
        var d = Data();
        Add(d, "U1", "A", 3);
        var s = SurveyAnalysis.Analyse(d).Question("q1")!.Overall;
        Assert.Equal(1, s.N);
        Assert.Equal(3.0, s.Mean);
        Assert.Null(s.Variance);
        Assert.Null(s.MeanCi);
        Assert.True(s.BelowMinN);
    }

    [Fact]
    public void Weighted_TwoStrata_MatchHandWorkedFigures()
    {
        // Population shares A 0.6, B 0.4. U1: A answers 4, 4, 4, 3 (n 4, mean 3.75, all satisfied); B answers 2, 1 (n 2, mean 1.5, none).
        // Weights w_A = 0.6 × 6/4 = 0.9, w_B = 0.4 × 6/2 = 1.2 (Σw = 6). Weighted mean 0.6 × 3.75 + 0.4 × 1.5 = 2.85;
        // weighted rate 0.6 × 1 + 0.4 × 0 = 0.6; index (2.85 − 1)/3 × 100 = 61.6667.
        // Σw² = 4 × 0.81 + 2 × 1.44 = 6.12; Kish n_eff = 6²/6.12 = 5.882353; design effect 6/5.882353 = 1.02.
        // Σw(x − 2.85)² = 0.9 × (3 × 1.15² + 0.15²) + 1.2 × (0.85² + 1.85²) = 3.591 + 4.974 = 8.565; variance 8.565/5 = 1.713.
        // Unweighted, the same answers give mean 3.0 and rate 4/6.
        var d = Data(0.6, 0.4);
        foreach (var v in new[] { 4, 4, 4, 3 })
        {
            Add(d, "U1", "A", v);
        }

        Add(d, "U1", "B", 2);
        Add(d, "U1", "B", 1);
        var s = SurveyAnalysis.Analyse(d).Question("q1")!.Units[0].Stats;
        Assert.Equal(3.0, s.Mean!.Value, 12);
        var w = s.Weighted!;
        Assert.Equal(2.85, w.Mean, 12);
        Assert.Equal(0.6, w.SatisfactionRate!.Value, 12);
        Assert.Equal(61.666667, w.Index!.Value, 6);
        Assert.Equal(5.882353, w.EffectiveN, 6);
        Assert.Equal(1.02, w.DesignEffect, 12);
        Assert.Equal(1.713, w.Variance!.Value, 12);
        // Mean interval with n_eff: 2.85 ± t(0.975, 4.882353) × √1.713 / √5.882353.
        var half = StudentT.Quantile(0.975, 4.882353) * Math.Sqrt(1.713 / 5.882353);
        Assert.Equal(2.85 - half, w.MeanCi!.Value.Lower, 5);
        Assert.Empty(w.StrataWithoutAnswers);
    }

    [Fact]
    public void Weighted_StratumWithoutAnswers_RenormalisesAndSaysSo()
    {
        var d = Data(0.6, 0.4);
        Add(d, "U1", "A", 4);
        Add(d, "U1", "A", 2);
        var w = SurveyAnalysis.Analyse(d).Question("q1")!.Units[0].Stats.Weighted!;
        Assert.Equal(3.0, w.Mean, 12); // A alone, share renormalised to 1
        Assert.Equal(2.0, w.EffectiveN, 12);
        Assert.Equal(["B"], w.StrataWithoutAnswers);
    }

    [Fact]
    public void OtherQuestionTypes_MatchHandWorkedFigures()
    {
        // Waiting minutes 10, 20, 60: mean 30, variance ((−20)² + (−10)² + 30²)/2 = 700.
        // Choices a, a, b: shares 2/3, 1/3, 0. Channels {web, tv}, {web}, none: 2 respondents, web 2/2, tv 1/2.
        var d = Data();
        Add(d, "U1", "A", 4, 10, "a", ["web", "tv"]);
        Add(d, "U1", "A", 4, 20, "a", ["web"]);
        Add(d, "U2", "B", 4, 60, "b");
        var r = SurveyAnalysis.Analyse(d);
        var wait = r.Question("q2")!.Overall;
        Assert.Equal(30.0, wait.Mean!.Value, 12);
        Assert.Equal(700.0, wait.Variance!.Value, 10);
        Assert.Null(wait.Index);
        var choice = r.Question("q3")!.Overall;
        Assert.Equal([2L, 1, 0], choice.Distribution!.Select(c => c.Count));
        Assert.Null(choice.Mean);
        var multi = r.Question("q4")!.Overall;
        Assert.Equal(2, multi.N);
        Assert.Equal([1.0, 0.5, 0], multi.Distribution!.Select(c => c.Share));
        Assert.Equal(0, r.Question("q5")!.Overall.N);
    }

    [Fact]
    public void Welch_TwoUnits_MatchHandWorked()
    {
        // A: 4, 4, 3, 2, 4, 1 (mean 3, variance 1.6); B: 2, 2, 3, 1 (mean 2, variance 2/3).
        // SE² = 1.6/6 + (2/3)/4 = 0.266667 + 0.166667 = 0.433333, SE = 0.658281, t = 1/0.658281 = 1.519109;
        // df = 0.433333² / (0.266667²/5 + 0.166667²/3) = 0.187778 / 0.023481 = 7.99685.
        var d = Data();
        foreach (var v in new[] { 4, 4, 3, 2, 4, 1 })
        {
            Add(d, "U1", "A", v);
        }

        foreach (var v in new[] { 2, 2, 3, 1 })
        {
            Add(d, "U2", "A", v);
        }

        var q = SurveyAnalysis.Analyse(d).Question("q1")!;
        var diff = SurveyComparisons.Means(q.Units[0].Stats, q.Units[1].Stats);
        Assert.Equal(1.0, diff.Difference!.Value, 12);
        Assert.Equal(0.658281, diff.StandardError!.Value, 6);
        Assert.Equal(1.519109, diff.T!.Value, 6);
        Assert.Equal(7.99685, diff.DegreesOfFreedom!.Value, 4);
        Assert.Equal(StudentT.TwoSidedP(1.519109, 7.996845), diff.P!.Value, 5);
        Assert.False(diff.Significant);
        Assert.Equal(33.333333, diff.IndexDifference!.Value, 5);
        // Rates 4/6 and 1/4: Newcombe's interval must contain the difference 0.416667.
        var rates = SurveyComparisons.Rates(q.Units[0].Stats, q.Units[1].Stats);
        Assert.Equal(0.416667, rates.Difference!.Value, 6);
        Assert.True(rates.Ci!.Value.Lower < 0.416667 && rates.Ci.Value.Upper > 0.416667);
    }

    [Fact]
    public void CompareUnits_SmallSampleNeverRankedAboveLargeOne()
    {
        var d = Data();
        Add(d, "U1", "A", 4);
        Add(d, "U1", "A", 4); // two perfect answers
        for (var i = 0; i < 40; i++)
        {
            Add(d, "U2", "A", i % 4 == 0 ? 3 : 4); // 40 answers, mostly 满意
        }

        var q = SurveyAnalysis.Analyse(d, new AnalysisOptions(MinN: 10)).Question("q1")!;
        var cmp = SurveyComparisons.Units(q).Single();
        Assert.Equal("U2", cmp.Units[0].Unit);
        Assert.Equal(1, cmp.Units[0].Rank);
        Assert.Null(cmp.Units[1].Rank);
        Assert.True(cmp.Units[1].BelowMinN);
        Assert.Equal(42, cmp.Pooled.N);
    }

    [Fact]
    public void PeerGroups_ComparedWithinTheirGroupOnly()
    {
        var d = new SurveyData(Four, ["U1", "U2", "U3"], [new StratumDefinition("A", "服务对象")]);
        foreach (var (u, v) in new[] { ("U1", 4), ("U1", 3), ("U2", 2), ("U2", 1), ("U3", 4), ("U3", 4) })
        {
            d.Add(u, "A", new Dictionary<string, Answer> { ["q1"] = new(Scale: v) });
        }

        var q = SurveyAnalysis.Analyse(d, new AnalysisOptions(MinN: 1)).Question("q1")!;
        var groups = SurveyComparisons.Units(q, new Dictionary<string, string> { ["U1"] = "窗口", ["U2"] = "窗口", ["U3"] = "热线" });
        Assert.Equal(2, groups.Count);
        var windows = groups.Single(g => g.Group == "窗口");
        Assert.Equal(["U1", "U2"], windows.Units.Select(u => u.Unit));
        Assert.Equal(2.5, windows.Pooled.Mean!.Value, 12); // (4+3+2+1)/4
        // U1 against the rest of its group (U2 only): difference 3.5 − 1.5 = 2.
        Assert.Equal(2.0, windows.Units[0].VersusRest.Difference!.Value, 12);
    }

    [Fact]
    public void Periods_ChangeOfEachUnit()
    {
        var earlier = Data();
        var later = Data();
        foreach (var v in new[] { 2, 3, 2, 3 })
        {
            Add(earlier, "U1", "A", v);
        }

        foreach (var v in new[] { 4, 3, 4, 3 })
        {
            Add(later, "U1", "A", v);
        }

        var change = SurveyComparisons.Periods(SurveyAnalysis.Analyse(earlier).Question("q1")!, SurveyAnalysis.Analyse(later).Question("q1")!);
        var u1 = change.Single(c => c.Unit == "U1");
        Assert.Equal(1.0, u1.Change.Difference!.Value, 12); // 3.5 − 2.5
        Assert.Equal(0.5, u1.RateChange.Difference!.Value, 12); // 4/4 − 2/4
        Assert.Contains(change, c => c.Unit == "*");
    }

    [Fact]
    public void CrossTab_TwoByTwo_MatchesHandWorkedChiSquare()
    {
        // Counts [[10, 20], [30, 40]]: expected 12, 18, 28, 42; χ² = 4/12 + 4/18 + 4/28 + 4/42 = 0.793651, df 1; V = √(χ²/100).
        var q = Questionnaire.Create([new Section("s", "s", [
            new Question("sex", "性别", QuestionType.SingleChoice, Options: [new("m", "男"), new("f", "女")]),
            new Question("ok", "是否满意", QuestionType.SingleChoice, Options: [new("y", "是"), new("n", "否")]),
        ])]);
        var d = new SurveyData(q, ["U"], [new StratumDefinition("A", "A")]);
        void Many(string a, string b, int times)
        {
            for (var i = 0; i < times; i++)
            {
                d.Add("U", "A", new Dictionary<string, Answer> { ["sex"] = new(Choice: a), ["ok"] = new(Choice: b) });
            }
        }

        Many("m", "y", 10);
        Many("m", "n", 20);
        Many("f", "y", 30);
        Many("f", "n", 40);
        var t = SurveyComparisons.Cross(d, "sex", "ok");
        Assert.Equal(100, t.N);
        Assert.Equal([30L, 70], t.RowTotals);
        Assert.Equal(0.793651, t.ChiSquare!.Value, 6);
        Assert.Equal(1, t.DegreesOfFreedom);
        Assert.Equal(Math.Sqrt(0.793651 / 100), t.CramersV!.Value, 6);
        Assert.Equal(ChiSquare.UpperP(0.793651, 1), t.P!.Value, 6);
    }

    [Fact]
    public void CrossTab_NonCategoricalQuestion_IsRefused()
    {
        var e = Assert.Throws<DomainException>(() => SurveyComparisons.Cross(Data(), "q1", "q2"));
        Assert.Equal("not_categorical", e.Code);
    }

    [Fact]
    public void Figure_TwoQuestions_AveragesIndexesAndRates()
    {
        // U1 answers q1 = 4 and 2 (index (3 − 1)/3 × 100 = 66.6667, rate 0.5); one question only.
        var d = Data();
        Add(d, "U1", "A", 4);
        Add(d, "U1", "A", 2);
        var figures = SurveyFigures.ForUnits(SurveyAnalysis.Analyse(d, new AnalysisOptions(MinN: 2)));
        var u1 = figures.Single(f => f.Unit == "U1");
        Assert.Equal(66.666667m, u1.SatisfactionIndex);
        Assert.Equal(0.5m, u1.SatisfactionRate);
        Assert.Equal(0.666667m, u1.Value);
        Assert.Equal(66.666667m, u1.ValueOf("satisfaction_index"));
        Assert.Equal(50m, u1.ValueOf("satisfaction_rate"));
        Assert.False(u1.BelowMinN);
        Assert.True(figures.Single(f => f.Unit == "U2").BelowMinN);
        Assert.Null(figures.Single(f => f.Unit == "U2").Value); // no answers: no figure, not zero
        var byRate = SurveyFigures.ForUnits(SurveyAnalysis.Analyse(d), basis: "rate");
        Assert.Equal(0.5m, byRate.Single(f => f.Unit == "U1").Value);
    }
}
