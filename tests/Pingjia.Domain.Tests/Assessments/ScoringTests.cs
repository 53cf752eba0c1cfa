using Pingjia.Domain.Assessments;

namespace Pingjia.Domain.Tests.Assessments;

public sealed class ScoringTests
{
    private static SchemeNode Leaf(string code, decimal points, ScoringMethod method, MissingPolicy missing = MissingPolicy.Fail, bool uncapped = false) =>
        new(code, code, points, [], method, missing, uncapped);

    private static SchemeNode Group(string code, decimal points, params SchemeNode[] children) => new(code, code, points, children);

    private static readonly GradeBand[] Bands = [new("优秀", 90), new("良好", 80), new("合格", 60), new("不合格", 0)];

    /// <summary>The weighted 政务服务考核 scheme: 效能 30 (速度 10, 质量 15, 态度 5), 创新 20, 满意度 30 (企业 15, 群众 15), 队伍建设 15, 制度执行 5 (政策 2, 制度 3).</summary>
    private static Scheme GovernmentService(RoundingMode mode) => new("gov-service", "政务服务考核", 1,
        Group("total", 100,
            Group("效能", 30, Leaf("速度", 10, new ManualScore()), Leaf("质量", 15, new ManualScore()), Leaf("态度", 5, new ManualScore())),
            Leaf("创新", 20, new ManualScore()),
            Group("满意度", 30, Leaf("企业", 15, new FigureScore("survey:enterprise")), Leaf("群众", 15, new FigureScore("ratings:good_rate"))),
            Leaf("队伍建设", 15, new ManualScore()),
            Group("制度执行", 5, Leaf("政策", 2, new ManualScore()), Leaf("制度", 3, new ManualScore()))),
        new Rounding(mode, 2), Bands);

    private static readonly Dictionary<string, LeafInput> GovernmentInputs = new()
    {
        ["速度"] = new(8.5m, EnteredBy: "评审员甲"), ["质量"] = new(13m), ["态度"] = new(5m), ["创新"] = new(16m),
        ["企业"] = new(0.92m), ["群众"] = new(0.875m), ["队伍建设"] = new(12.5m), ["政策"] = new(2m), ["制度"] = new(2.5m),
    };

    [Fact]
    public void Score_GovernmentServiceScheme_MatchesHandWorkedTotal()
    {
        // 效能 8.5+13+5 = 26.5; 创新 16; 满意度 0.92×15 + 0.875×15 = 13.8 + 13.125 = 26.925; 队伍 12.5; 制度执行 2+2.5 = 4.5.
        // Total 86.425: half-up to 2 digits 86.43, half-even (GB/T 8170) 86.42; grade 良好.
        var halfUp = Scoring.Score(GovernmentService(RoundingMode.HalfUp), GovernmentInputs);
        Assert.Equal(86.425m, halfUp.Unrounded);
        Assert.Equal(86.43m, halfUp.Total);
        Assert.Equal("良好", halfUp.Grade);
        Assert.Equal(86.42m, Scoring.Score(GovernmentService(RoundingMode.HalfEven), GovernmentInputs).Total);
        Assert.Equal(26.925m, halfUp.Tree.Children.Single(c => c.Code == "满意度").Value);
        Assert.Equal("评审员甲", halfUp.Tree.Children[0].Children[0].Input!.EnteredBy); // provenance travels with the explanation
    }

    [Fact]
    public void Deductions_EachCappedByItsItem_AndFlooredAtZero()
    {
        var node = Leaf("信息报送", 20, new Deductions([new("late", "迟报", 2, 6), new("error", "差错", 1, 5)]));
        var scheme = new Scheme("d", "d", 1, node, new Rounding(RoundingMode.HalfUp, 1), []);
        // Late 5 × 2 = 10, capped at 6; errors 3 × 1 = 3: 20 − 9 = 11.
        Assert.Equal(11m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["信息报送"] = new(Counts: new Dictionary<string, decimal> { ["late"] = 5, ["error"] = 3 }) }).Total);
        var floored = Leaf("x", 5, new Deductions([new("late", "迟报", 2, null)]));
        var result = Scoring.Score(scheme with { Root = floored }, new Dictionary<string, LeafInput> { ["x"] = new(Counts: new Dictionary<string, decimal> { ["late"] = 9 }) });
        Assert.Equal(0m, result.Total);
        Assert.Contains(result.Tree.Notes, n => n.Contains("扣完为止", StringComparison.Ordinal));
    }

    [Fact]
    public void Quota_MissingItemsPenalised_FloorZero()
    {
        // XX局: 5 a month, −5 for each missing, 25 for a quarter met. Months 5, 3, 4: 3 missing → 25 − 15 = 10.
        var scheme = new Scheme("q", "q", 1, Leaf("信息", 25, new Quota(5, 5)), new Rounding(RoundingMode.HalfUp, 0), []);
        Assert.Equal(10m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["信息"] = new(PerPeriod: [5, 3, 4]) }).Total);
        Assert.Equal(0m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["信息"] = new(PerPeriod: [0, 0, 0]) }).Total);
    }

    [Fact]
    public void PerItem_GansuPoints_UncappedBonus()
    {
        // 专刊 1 × 10 + 专报 4 × 3 + 动态 10 × 2 = 42, on a node of 30 points that is uncapped.
        var method = new PerItem([new("zk", "专刊", 10), new("zb", "专报", 3), new("zh", "综合", 15), new("qk", "情况", 5), new("dt", "动态", 2), new("ps", "领导批示", 10)]);
        var scheme = new Scheme("g", "g", 1, Leaf("采用", 30, method, uncapped: true), new Rounding(RoundingMode.HalfUp, 0), []);
        Assert.Equal(42m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["采用"] = new(Counts: new Dictionary<string, decimal> { ["zk"] = 1, ["zb"] = 4, ["dt"] = 10 }) }).Total);
        var capped = scheme with { Root = Leaf("采用", 30, method) };
        Assert.Equal(30m, Scoring.Score(capped, new Dictionary<string, LeafInput> { ["采用"] = new(Counts: new Dictionary<string, decimal> { ["zk"] = 1, ["zb"] = 4, ["dt"] = 10 }) }).Total);
    }

    [Fact]
    public void Missing_RenormaliseZeroAndFail_EachAsDeclared()
    {
        var root = Group("p", 30, Leaf("a", 10, new ManualScore()), Leaf("b", 20, new ManualScore(), MissingPolicy.Renormalise));
        var scheme = new Scheme("m", "m", 1, root, new Rounding(RoundingMode.HalfUp, 2), []);
        var inputs = new Dictionary<string, LeafInput> { ["a"] = new(8m) };
        // b is missing: a's 8 of 10 is scaled to the parent's 30 points: 24.
        Assert.Equal(24m, Scoring.Score(scheme, inputs).Total);
        var zero = scheme with { Root = root with { Children = [root.Children[0], root.Children[1] with { Missing = MissingPolicy.Zero }] } };
        Assert.Equal(8m, Scoring.Score(zero, inputs).Total);
        var fail = scheme with { Root = root with { Children = [root.Children[0], root.Children[1] with { Missing = MissingPolicy.Fail }] } };
        Assert.Equal("missing_input", Assert.Throws<DomainException>(() => Scoring.Score(fail, inputs)).Code);
    }

    [Fact]
    public void Validate_BrokenScheme_ReportsEveryErrorWithItsPath()
    {
        var root = Group("root", 100, Group("a", 40, Leaf("a1", 10, new ManualScore())), new SchemeNode("b", "b", 50, []), Leaf("a1", 5, new ManualScore()));
        var errors = SchemeValidator.Validate(new Scheme("x", "x", 1, root, new Rounding(RoundingMode.HalfUp, 2), []));
        Assert.Contains(errors, e => e.Path == "root.points");          // 40 + 50 + 5 ≠ 100
        Assert.Contains(errors, e => e.Path == "root.a.points");        // 10 ≠ 40
        Assert.Contains(errors, e => e.Path == "root.b" && e.Message.Contains("method", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("used twice", StringComparison.Ordinal));
    }

    [Fact]
    public void Score_RandomTrees_TotalIsSumOfContributionsWithinBoundsAndRepeatable()
    {
        var rng = new Random(5);
        for (var run = 0; run < 200; run++)
        {
            var inputs = new Dictionary<string, LeafInput>();
            var counter = 0;
            SchemeNode Make(int depth, decimal points)
            {
                if (depth == 0 || rng.Next(3) == 0)
                {
                    var code = $"n{counter++}";
                    inputs[code] = new LeafInput(Math.Round((decimal)rng.NextDouble() * points * 1.2m, 3));
                    return Leaf(code, points, new ManualScore());
                }

                var parts = rng.Next(2, 5);
                var each = Math.Floor(points / parts);
                var children = Enumerable.Range(0, parts).Select(i => Make(depth - 1, i == parts - 1 ? points - (each * (parts - 1)) : each)).ToArray();
                return Group($"g{counter++}", points, children);
            }

            var scheme = new Scheme("r", "r", 1, Make(4, 100), new Rounding(RoundingMode.HalfEven, 2), Bands);
            var a = Scoring.Score(scheme, inputs);
            var b = Scoring.Score(scheme, inputs);
            Assert.Equal(a.Unrounded, b.Unrounded);
            Check(a.Tree);

            static void Check(NodeScore n)
            {
                Assert.InRange(n.Value, 0, n.Points);
                if (n.Children.Count > 0)
                {
                    Assert.Equal(Math.Min(n.Children.Sum(c => c.Value), n.Points), n.Value);
                    foreach (var c in n.Children)
                    {
                        Check(c);
                    }
                }
            }
        }
    }
}

public sealed class SourcesAndZeroRuleTests
{
    private static Scheme One(SchemeNode node) => new("s", "s", 1, node, new Rounding(RoundingMode.HalfUp, 2), []);

    private static readonly MultiSource FourSources = new([new("self", 0.2m), new("peer", 0.2m), new("public", 0.3m), new("expert", 0.3m)], RenormaliseMissing: true);

    [Fact]
    public void MultiSource_AllPresent_WeightedAverage()
    {
        // 0.2×18 + 0.2×16 + 0.3×15 + 0.3×17 = 3.6 + 3.2 + 4.5 + 5.1 = 16.4 of 20.
        var node = new SchemeNode("创新", "创新", 20, [], FourSources);
        var input = new LeafInput(BySource: new Dictionary<string, decimal> { ["self"] = 18, ["peer"] = 16, ["public"] = 15, ["expert"] = 17 });
        Assert.Equal(16.4m, Scoring.Score(One(node), new Dictionary<string, LeafInput> { ["创新"] = input }).Total);
    }

    [Fact]
    public void MultiSource_OneMissing_RenormalisedOrZeroAsStated()
    {
        // No public score: (3.6 + 3.2 + 5.1) / 0.7 = 11.9 / 0.7 = 17; counted as zero: 11.9 / 1.0 = 11.9.
        var input = new LeafInput(BySource: new Dictionary<string, decimal> { ["self"] = 18, ["peer"] = 16, ["expert"] = 17 });
        var renormalised = new SchemeNode("创新", "创新", 20, [], FourSources);
        Assert.Equal(17m, Scoring.Score(One(renormalised), new Dictionary<string, LeafInput> { ["创新"] = input }).Total);
        var zero = renormalised with { Method = FourSources with { RenormaliseMissing = false } };
        Assert.Equal(11.9m, Scoring.Score(One(zero), new Dictionary<string, LeafInput> { ["创新"] = input }).Total);
    }

    [Fact]
    public void ZeroRule_ThreeEmptyMonthsInARow_ScoresZero()
    {
        // Yingdong: a month with nothing reported is criticised; three such months in a row → the item scores 0.
        var node = new SchemeNode("信息", "信息报送", 25, [], new Quota(1, 2), Zero: new ZeroRule(3, []));
        var twoGaps = new LeafInput(PerPeriod: [3, 0, 0, 2, 0, 1]);
        Assert.Equal(19m, Scoring.Score(One(node), new Dictionary<string, LeafInput> { ["信息"] = twoGaps }).Total); // 25 − 3 × 2
        var threeGaps = new LeafInput(PerPeriod: [3, 0, 0, 0, 4]);
        var result = Scoring.Score(One(node), new Dictionary<string, LeafInput> { ["信息"] = threeGaps });
        Assert.Equal(0m, result.Total);
        Assert.Contains(result.Tree.Notes, n => n.Contains("连续 3 个周期无报送", StringComparison.Ordinal));
    }

    [Fact]
    public void ZeroRule_FlaggedEvent_ScoresZero()
    {
        // XX局: a concealed or late major report → 0 for the year.
        var node = new SchemeNode("信息", "信息报送", 25, [], new Quota(5, 5), Zero: new ZeroRule(null, ["concealed_major_report"]));
        var input = new LeafInput(PerPeriod: [5, 5, 5], Flags: ["concealed_major_report"]);
        Assert.Equal(0m, Scoring.Score(One(node), new Dictionary<string, LeafInput> { ["信息"] = input }).Total);
    }
}
