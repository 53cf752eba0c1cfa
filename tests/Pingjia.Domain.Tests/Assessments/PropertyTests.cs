using System.Text.Json;
using Pingjia.Domain.Assessments;

namespace Pingjia.Domain.Tests.Assessments;

/// <summary>Properties over random trees and inputs (seeded, so a failure can be replayed).</summary>
public sealed class PropertyTests
{
    private sealed class Gen(int seed)
    {
        private readonly Random rng = new(seed);
        private int counter;

        public Dictionary<string, LeafInput> Inputs { get; } = [];

        public HashSet<string> Published { get; } = [];

        public decimal Amount(decimal max) => Math.Round((decimal)rng.NextDouble() * max, 3);

        public SchemeNode Tree(int depth, decimal points)
        {
            var code = $"n{counter++}";
            var published = rng.Next(4) == 0;
            if (published)
            {
                Published.Add(code);
            }

            var missing = (MissingPolicy)rng.Next(3);
            if (depth == 0 || rng.Next(3) == 0)
            {
                return Leaf(code, points, published, missing);
            }

            var parts = rng.Next(2, 5);
            var weighted = rng.Next(3) == 0;
            var each = Math.Floor(points / parts);
            var children = new List<SchemeNode>();
            for (var i = 0; i < parts; i++)
            {
                var p = i == parts - 1 ? points - (each * (parts - 1)) : each;
                var child = Tree(depth - 1, weighted ? 100 : p);
                children.Add(weighted ? child with { Weight = i == parts - 1 ? 1 - (Math.Round(1m / parts, 2) * (parts - 1)) : Math.Round(1m / parts, 2) } : child);
            }

            if (rng.Next(3) == 0)
            {
                children.Add(Extra());
            }

            // An inner node whose children are all missing follows its own policy: never Fail here, so that random inputs stay scorable.
            return new SchemeNode(code, code, points, children, null, missing == MissingPolicy.Fail ? MissingPolicy.Zero : missing,
                Combine: weighted ? Combine.Weighted : Combine.Sum, Published: published);
        }

        private SchemeNode Extra()
        {
            var code = $"x{counter++}";
            if (rng.Next(2) == 0)
            {
                var cap = rng.Next(2) == 0 ? (decimal?)null : rng.Next(1, 10);
                Inputs[code] = new LeafInput(Counts: new Dictionary<string, decimal> { ["a"] = rng.Next(0, 6) });
                return new SchemeNode(code, code, cap ?? 0, [], new Bonus([new("a", "a", rng.Next(1, 5))], cap), MissingPolicy.Zero);
            }

            Inputs[code] = new LeafInput(Counts: new Dictionary<string, decimal> { ["p"] = rng.Next(0, 4) });
            return new SchemeNode(code, code, 0, [], new Penalty([new("p", "p", rng.Next(1, 8), null)], null), MissingPolicy.Zero);
        }

        private SchemeNode Leaf(string code, decimal points, bool published, MissingPolicy missing)
        {
            // A leaf that may lack data never fails in these trees: its policy is zero or renormalise.
            var absent = rng.Next(6) == 0;
            var policy = missing == MissingPolicy.Fail ? MissingPolicy.Renormalise : missing;
            ScoringMethod method;
            LeafInput input;
            switch (rng.Next(4))
            {
                case 0:
                    method = new ManualScore();
                    input = new LeafInput(Amount(points * 1.2m), EnteredBy: "评审员", EnteredAt: new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc));
                    break;
                case 1:
                    method = new Deductions([new("late", "迟报", rng.Next(1, 4), rng.Next(2) == 0 ? null : rng.Next(1, 10))]);
                    input = new LeafInput(Counts: new Dictionary<string, decimal> { ["late"] = rng.Next(0, 8) });
                    break;
                case 2:
                    method = new PerItem([new("a", "a", rng.Next(1, 6)), new("b", "b", rng.Next(1, 6))]);
                    input = new LeafInput(Counts: new Dictionary<string, decimal> { ["a"] = rng.Next(0, 5), ["b"] = rng.Next(0, 5) });
                    break;
                default:
                    var (expression, _) = FormulaExpression.Parse("min(x * 2, y) + if(x > y, 1, 0)", ["x", "y"]);
                    method = new Formula(expression!, ["x", "y"]);
                    input = new LeafInput(Values: new Dictionary<string, decimal> { ["x"] = Amount(points), ["y"] = Amount(points) });
                    break;
            }

            if (!absent)
            {
                Inputs[code] = input;
            }

            return new SchemeNode(code, code, points, [], method, policy, Published: published);
        }
    }

    private static bool HasBonus(NodeScore n) => n.Method == "bonus" || n.Children.Any(HasBonus);

    [Fact]
    public void Score_RandomTrees_ContributionsSumBoundsRoundingAndRepeatability()
    {
        var scored = 0;
        for (var seed = 0; seed < 400; seed++)
        {
            var gen = new Gen(seed);
            var root = gen.Tree(4, 100);
            var scheme = new Scheme("p", "p", 1, root, new Rounding(seed % 2 == 0 ? RoundingMode.HalfUp : RoundingMode.HalfEven, seed % 4), [new("A", 80), new("B", 0)]);
            Assert.Empty(SchemeValidator.Validate(scheme));
            ScoreResult a;
            try
            {
                a = Scoring.Score(scheme, gen.Inputs);
            }
            catch (DomainException e) when (e.Code == "missing_input")
            {
                continue; // the whole tree happened to lack data: rejected, never silently zero
            }

            scored++;
            Assert.Equal(scheme.Rounding.Apply(a.Tree.Value), a.Total);
            Assert.Equal(a.Tree.Value, a.Unrounded);
            Check(a.Tree, gen.Published, isRoot: true, root);

            // Computing twice gives the same bytes.
            var b = Scoring.Score(scheme, gen.Inputs);
            Assert.Equal(JsonSerializer.Serialize(a), JsonSerializer.Serialize(b));
        }

        Assert.True(scored > 300, $"only {scored} trees were scorable");
    }

    private static void Check(NodeScore n, HashSet<string> published, bool isRoot, SchemeNode node)
    {
        // A penalty leaf is the (non-positive) amount it takes from its parent; everything else is never below 0.
        Assert.True(n.Method == "penalty" ? n.Value <= 0 : n.Value >= 0, $"{n.Code}: {n.Value}");
        if (!HasBonus(n))
        {
            Assert.True(n.Value <= n.Points, $"{n.Code}: {n.Value} > {n.Points}");
        }

        // Rounding happens only at published levels (and the root), nowhere else.
        Assert.Equal((isRoot || published.Contains(n.Code)) && !n.Missing, n.Rounded is not null);
        if (n.Children.Count == 0)
        {
            return;
        }

        // A total is the sum of its contributions: raw = Σ contributions, and value = max(0, min(regular part, points) + bonus − penalties).
        Assert.Equal(n.Raw ?? 0, n.Children.Sum(c => c.Contribution));
        Assert.All(n.Children.Where(c => c.Missing), c => Assert.Equal(0, c.Contribution));
        if (!n.Missing && n.Raw is not null)
        {
            var regularNodes = node.Children.Select((c, i) => (c, s: n.Children[i])).Where(x => x.c.Extra == 0).ToList();
            var weighted = node.Combine == Combine.Weighted;
            var full = regularNodes.Sum(x => weighted ? x.c.Weight!.Value : x.c.Points);
            var present = regularNodes.Where(x => !x.s.Missing).Sum(x => weighted ? x.c.Weight!.Value : x.c.Points);
            decimal regular = 0, extra = 0;
            for (var i = 0; i < node.Children.Count; i++)
            {
                var (c, s) = (node.Children[i], n.Children[i]);
                if (s.Missing)
                {
                    continue;
                }

                if (c.Extra != 0)
                {
                    extra += s.Contribution;
                    continue;
                }

                                var k = weighted ? c.Weight!.Value / present * node.Points / c.Points : 1;
                var part = weighted ? k * (s.Value - s.Extra) : (present == full ? s.Value - s.Extra : present == 0 ? 0 : (s.Value - s.Extra) * full / present);
                var bonus = weighted ? k * s.Extra : s.Extra;
                Assert.Equal(part + bonus, s.Contribution);
                regular += part;
                extra += bonus;
            }

            Assert.Equal(Math.Max(0, regular <= n.Points || node.Uncapped ? n.Raw.Value : n.Points + extra), n.Value);
        }

        for (var i = 0; i < n.Children.Count; i++)
        {
            Check(n.Children[i], published, isRoot: false, node.Children[i]);
        }
    }
}
