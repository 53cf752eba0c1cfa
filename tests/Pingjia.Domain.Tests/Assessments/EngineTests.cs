using Pingjia.Domain.Assessments;

namespace Pingjia.Domain.Tests.Assessments;

public sealed class FormulaTests
{
    private static decimal Eval(string text, params (string, decimal)[] values)
    {
        var (e, errors) = FormulaExpression.Parse(text, [.. values.Select(v => v.Item1)]);
        Assert.True(e is not null, string.Join("; ", errors));
        return e.Evaluate(values.ToDictionary(v => v.Item1, v => v.Item2), "t");
    }

    [Fact]
    public void Evaluate_ArithmeticComparisonsAndFunctions_InDecimal()
    {
        Assert.Equal(0.3m, Eval("0.1 + 0.2"));                                   // decimal, not double
        Assert.Equal(7m, Eval("1 + 2 * 3"));
        Assert.Equal(9m, Eval("(1 + 2) * 3"));
        Assert.Equal(-4m, Eval("-x * 2", ("x", 2)));
        Assert.Equal(18.75m, Eval("20 * resolved / received", ("resolved", 45), ("received", 48)));
        Assert.Equal(13.5m, Eval("clamp(20 - max(0, w - 10), 0, 20)", ("w", 16.5m)));
        Assert.Equal(6m, Eval("if(d <= 5, 10, if(d <= 10, 6, 2))", ("d", 7)));
        Assert.Equal(1m, Eval("a > 1 and not (b == 2) or a < 0", ("a", 2), ("b", 3)));
        Assert.Equal(2.35m, Eval("round(2.345, 2)"));
        Assert.Equal(1m, Eval("10 % 3"));
    }

    [Fact]
    public void Parse_UnknownFunctionOrName_Rejected()
    {
        Assert.Contains(FormulaExpression.Parse("System(1)", ["x"]).Errors, e => e.Contains("Unknown function 'System'", StringComparison.Ordinal));
        Assert.Contains(FormulaExpression.Parse("x + y", ["x"]).Errors, e => e.Contains("Unknown name 'y'", StringComparison.Ordinal));
        Assert.Contains(FormulaExpression.Parse("min(1)", []).Errors, e => e.Contains("takes 2 to 8", StringComparison.Ordinal));
        Assert.NotEmpty(FormulaExpression.Parse("x.GetType()", ["x"]).Errors);           // no member access
        Assert.NotEmpty(FormulaExpression.Parse("'abc'", []).Errors);                    // no strings
        Assert.NotEmpty(FormulaExpression.Parse("1 +", []).Errors);
    }

    [Fact]
    public void Parse_TooLongOrTooDeep_Rejected()
    {
        Assert.Contains(FormulaExpression.Parse(string.Join(" + ", Enumerable.Repeat("1", 300)), []).Errors, e => e.Contains("longer", StringComparison.Ordinal));
        Assert.Contains(FormulaExpression.Parse(new string('(', 20) + "1" + new string(')', 20), []).Errors, e => e.Contains("nests deeper", StringComparison.Ordinal));
        Assert.Empty(FormulaExpression.Parse(new string('(', 10) + "1" + new string(')', 10), []).Errors);
    }

    [Fact]
    public void Evaluate_DivisionByZeroOrMissingValue_IsADomainError()
    {
        var (e, _) = FormulaExpression.Parse("a / b", ["a", "b"]);
        Assert.Equal("formula_division_by_zero", Assert.Throws<DomainException>(() => e!.Evaluate(new Dictionary<string, decimal> { ["a"] = 1, ["b"] = 0 }, "p")).Code);
        Assert.Equal("missing_input", Assert.Throws<DomainException>(() => e!.Evaluate(new Dictionary<string, decimal> { ["a"] = 1 }, "p")).Code);
    }
}

public sealed class CompositionTests
{
    private static readonly Rounding R2 = new(RoundingMode.HalfUp, 2);

    private static SchemeNode Manual(string code, decimal points, decimal? weight = null, MissingPolicy missing = MissingPolicy.Fail) =>
        new(code, code, points, [], new ManualScore(), missing, Weight: weight);

    private static Dictionary<string, LeafInput> In(params (string Code, decimal Value)[] values) => values.ToDictionary(v => v.Code, v => new LeafInput(v.Value));

    [Fact]
    public void Weighted_MissingChildRenormalisesWeights()
    {
        // 0.3 × 80 + 0.7 × 90 = 87; without the 0.7 child: 80 on its own.
        var root = new SchemeNode("r", "r", 100, [Manual("a", 100, 0.3m), Manual("b", 100, 0.7m, MissingPolicy.Renormalise)], Combine: Combine.Weighted);
        var scheme = new Scheme("w", "w", 1, root, R2, []);
        Assert.Equal(87m, Scoring.Score(scheme, In(("a", 80), ("b", 90))).Total);
        Assert.Equal(80m, Scoring.Score(scheme, In(("a", 80))).Total);
    }

    [Fact]
    public void BonusAndPenalty_OutsidePoints_CapAndFloor()
    {
        var bonus = new SchemeNode("bonus", "加分", 5, [], new Bonus([new("x", "x", 2)], 5));
        var penalty = new SchemeNode("penalty", "扣分", 0, [], new Penalty([new("p", "p", 20, null)], null));
        var root = new SchemeNode("r", "r", 10, [Manual("a", 10), bonus, penalty]);
        var scheme = new Scheme("b", "b", 1, root, R2, []);
        LeafInput Counts(string k, decimal n) => new(Counts: new Dictionary<string, decimal> { [k] = n });
        // 9 + min(4 × 2, 5) − 0 = 14: above the node's 10 by the bonus only.
        Assert.Equal(14m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["a"] = new(9m), ["bonus"] = Counts("x", 4), ["penalty"] = Counts("p", 0) }).Total);
        // 9 + 2 − 20 < 0: floored at 0.
        Assert.Equal(0m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["a"] = new(9m), ["bonus"] = Counts("x", 1), ["penalty"] = Counts("p", 1) }).Total);
        Assert.Contains(SchemeValidator.Validate(scheme with { Root = root with { Children = [Manual("a", 10), bonus with { Points = 3 }] } }), e => e.Path == "r.bonus.points");
    }

    [Fact]
    public void Levels_SubunitsAveraged_WeightedByUnit_AndCyclesRejected()
    {
        var city = new SchemeNode("city", "city", 100, [], new ManualScore());
        var root = new SchemeNode("prov", "prov", 100, [], new Subunits("city", Weighted: true));
        var scheme = new Scheme("l", "l", 1, root, R2, [], Levels: [new SchemeLevel("city", city)]);
        Assert.Empty(SchemeValidator.Validate(scheme));
        var units = new[]
        {
            new RoundUnit("P", new Dictionary<string, LeafInput>()),
            new RoundUnit("C1", In(("city", 80)), "city", "P", Weight: 3),
            new RoundUnit("C2", In(("city", 100)), "city", "P", Weight: 1),
        };
        var results = Ranking.Compute(scheme, units);
        Assert.Equal(85m, results.Single(r => r.Unit == "P").Result.Total); // (3 × 80 + 1 × 100) / 4
        var looped = new[] { units[0] with { Parent = "C1" }, units[1], units[2] };
        Assert.Equal("unit_cycle", Assert.Throws<DomainException>(() => Ranking.Compute(scheme, looped)).Code);
        var cyclic = scheme with { Levels = [new SchemeLevel("city", new SchemeNode("city", "city", 100, [], new Subunits(null, false)))] };
        Assert.Contains(SchemeValidator.Validate(cyclic), e => e.Message.Contains("cycle", StringComparison.Ordinal));
        Assert.Equal("unknown_parent", Assert.Throws<DomainException>(() => Ranking.Compute(scheme, [units[1] with { Parent = "X" }])).Code);
    }

    [Fact]
    public void Score_HugeInput_IsAValidationErrorNotACrash()
    {
        var scheme = new Scheme("o", "o", 1, new SchemeNode("n", "n", 10, [], new PerItem([new("a", "a", 10)])), R2, []);
        var huge = new LeafInput(Counts: new Dictionary<string, decimal> { ["a"] = 1e28m });
        Assert.Equal("value_out_of_range", Assert.Throws<DomainException>(() => Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["n"] = huge })).Code);
    }

    [Fact]
    public void Periods_TwoMeasurementsWeighted_ScaledToNodePoints()
    {
        var node = new SchemeNode("term", "term", 30, [], new Periods([new("y1", 0.5m), new("y2", 0.5m)], 100, false));
        var scheme = new Scheme("p", "p", 1, node, R2, []);
        var input = new LeafInput(ByPeriod: new Dictionary<string, decimal> { ["y1"] = 80, ["y2"] = 90 });
        Assert.Equal(25.5m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["term"] = input }).Total); // 85 × 30 / 100
        var one = new LeafInput(ByPeriod: new Dictionary<string, decimal> { ["y1"] = 80 });
        Assert.Equal(12m, Scoring.Score(scheme, new Dictionary<string, LeafInput> { ["term"] = one }).Total);  // missing counted as 0: 40 × 0.3
    }

    [Fact]
    public void Ranking_TieRuleAndQuotaGrades()
    {
        var scheme = new Scheme("t", "t", 1, new SchemeNode("r", "r", 100, [Manual("a", 60), Manual("b", 40)]), new Rounding(RoundingMode.HalfEven, 0), [new("合格", 0)],
            [new GradeQuota("优秀", 0.25m, MinScore: 80)], new TieRule(TieMode.Dense, ["b"]));
        var units = new[]
        {
            new RoundUnit("U1", In(("a", 50), ("b", 40))),      // 90
            new RoundUnit("U2", In(("a", 55), ("b", 35))),      // 90, b lower
            new RoundUnit("U3", In(("a", 45), ("b", 40))),      // 85
            new RoundUnit("U4", In(("a", 44.5m), ("b", 40))),   // 84.5 → half-even 84
        };
        var r = Ranking.Compute(scheme, units);
        Assert.Equal(new[] { ("U1", 1, "优秀"), ("U2", 2, "合格"), ("U3", 3, "合格"), ("U4", 4, "合格") }, r.Select(x => (x.Unit, x.Rank, x.Grade!)).ToArray());
        Assert.Equal(84m, r[3].Result.Total);
        var noBreak = scheme with { Ties = new TieRule(TieMode.Dense, []) };
        var r2 = Ranking.Compute(noBreak, units);
        Assert.Equal(new[] { 1, 1, 2, 3 }, r2.Select(x => x.Rank).ToArray());                              // dense
        Assert.Equal(new[] { "优秀", "优秀", "合格", "合格" }, r2.Select(x => x.Grade!).ToArray());          // tied at the quota limit: both
        var competition = scheme with { Ties = TieRule.Default };
        Assert.Equal(new[] { 1, 1, 3, 4 }, Ranking.Compute(competition, units).Select(x => x.Rank).ToArray());
    }

    [Fact]
    public void Validate_RandomBrokenSchemes_EveryInjectedErrorReportedWithItsPath()
    {
        var rng = new Random(11);
        for (var run = 0; run < 100; run++)
        {
            var expected = new List<string>();
            var counter = 0;
            SchemeNode Make(int depth, decimal points, string path)
            {
                var code = $"n{counter++}";
                var here = path.Length == 0 ? code : $"{path}.{code}";
                var fault = rng.Next(8);
                if (depth == 0 || rng.Next(3) == 0)
                {
                    if (fault == 0)
                    {
                        expected.Add(here);                                          // a leaf without a method
                        return new SchemeNode(code, code, points, []);
                    }

                    if (fault == 1)
                    {
                        expected.Add(here + ".formula");                             // unknown name in a formula
                        return LeafWithBadFormula(code, points);
                    }

                    return new SchemeNode(code, code, points, [], new ManualScore());
                }

                // Children's points that do not sum to the node's: made for one point less, the node itself unchanged.
                var childPoints = fault == 2 ? points - 1 : points;
                if (fault == 2)
                {
                    expected.Add(here + ".points");
                }

                var parts = rng.Next(2, 4);
                var each = Math.Floor(childPoints / parts);
                var children = Enumerable.Range(0, parts).Select(i => Make(depth - 1, i == parts - 1 ? childPoints - (each * (parts - 1)) : each, here)).ToList();
                return new SchemeNode(code, code, points, children);
            }

            var json = SchemeJson(Make(3, 100, ""));
            var (scheme, errors) = SchemeFile.Load(json);
            if (expected.Count == 0)
            {
                Assert.NotNull(scheme);
                continue;
            }

            Assert.Null(scheme);
            foreach (var path in expected)
            {
                Assert.True(errors.Any(e => e.Path == path), $"{path} not in: {string.Join(" | ", errors)}");
            }
        }
    }

    private static SchemeNode LeafWithBadFormula(string code, decimal points) =>
        new(code, code, points, [], new ManualScore(), Published: true);

    /// <summary>Writes a node tree as scheme JSON; a published manual leaf with policy zero stands for a formula with an unknown name.</summary>
    private static string SchemeJson(SchemeNode root)
    {
        static string Node(SchemeNode n)
        {
            var head = $"\"code\": \"{n.Code}\", \"points\": {n.Points}";
            if (n.Children.Count > 0)
            {
                return $"{{ {head}, \"children\": [ {string.Join(", ", n.Children.Select(Node))} ] }}";
            }

            return n.Method switch
            {
                null => $"{{ {head} }}",
                ManualScore when n.Published => $"{{ {head}, \"method\": \"formula\", \"variables\": [ \"x\" ], \"formula\": \"x + unknown_name\" }}",
                _ => $"{{ {head}, \"method\": \"manual\" }}",
            };
        }

        return $"{{ \"code\": \"rand\", \"root\": {Node(root)} }}";
    }
}

public sealed class ExplanationTests
{
    [Fact]
    public void ToText_ShowsMethodInputsProvenanceCapsMissingAndPublishedValues()
    {
        var root = new SchemeNode("total", "总分", 20, [
            new SchemeNode("check", "实地检查", 10, [], new Checklist([new("a", "环境", 4), new("b", "秩序", 6)]), Published: true),
            new SchemeNode("ded", "扣分项", 5, [], new Deductions([new("late", "迟报", 2, 3)])),
            new SchemeNode("opt", "可选", 5, [], new ManualScore(), MissingPolicy.Renormalise),
        ]);
        var scheme = new Scheme("t", "测试方案", 3, root, new Rounding(RoundingMode.HalfUp, 2), [new("合格", 0)]);
        var inputs = new Dictionary<string, LeafInput>
        {
            ["check"] = new(Passed: ["a"], EnteredBy: "测评员乙", EnteredAt: new DateTime(2026, 3, 1, 9, 30, 0, DateTimeKind.Utc)),
            ["ded"] = new(Counts: new Dictionary<string, decimal> { ["late"] = 4 }),
        };
        var ranked = Ranking.Rank([("单位甲", Scoring.Score(scheme, inputs))]);
        var text = Explanation.ToText(scheme, ranked[0]);
        // (4 + (5 − 3)) of the 15 present points, renormalised to 20: 6 × 20 / 15 = 8.
        Assert.Contains("总分：8.00（未修约 8", text, StringComparison.Ordinal);
        Assert.Contains("测试方案（t，第 3 版）", text, StringComparison.Ordinal);
        Assert.Contains("[逐项检查]", text, StringComparison.Ordinal);
        Assert.Contains("未通过：秩序（6 分）", text, StringComparison.Ordinal);
        Assert.Contains("来源：测评员乙 于 2026-03-01 09:30 录入", text, StringComparison.Ordinal);
        Assert.Contains("迟报 扣分 8 超过该项上限 3", text, StringComparison.Ordinal);
        Assert.Contains("无数据，由上级按其余指标折算", text, StringComparison.Ordinal);
        Assert.Contains("公布值 4.00", text, StringComparison.Ordinal);
        Assert.Contains("名次：第 1 名；等次：合格", text, StringComparison.Ordinal);
    }
}
