using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Pingjia.Domain.Assessments;

BenchmarkRunner.Run<Pingjia.Bench.Assessments.RoundBenchmark>(args: args);

namespace Pingjia.Bench.Assessments
{
/// <summary>
/// A round of 10,000 units under a scheme of 100 indicators (10 groups × 10 leaves of seven methods: manual, checklist,
/// deductions, counted items, figure, formula, several sources). Each result carries its explanation tree.
/// </summary>
[MemoryDiagnoser]
public class RoundBenchmark
{
    private Scheme scheme = null!;
    private RoundUnit[] units = null!;

    [Params(10_000)]
    public int Units { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (formula, _) = FormulaExpression.Parse("clamp(10 - max(0, wait - 10) * 0.5, 0, 10)", ["wait"]);
        var groups = new List<SchemeNode>();
        for (var g = 0; g < 10; g++)
        {
            var leaves = new List<SchemeNode>();
            for (var l = 0; l < 10; l++)
            {
                var code = $"g{g}l{l}";
                ScoringMethod method = (l % 7) switch
                {
                    0 => new ManualScore(),
                    1 => new Checklist([new("a", "a", 4), new("b", "b", 3), new("c", "c", 3)]),
                    2 => new Deductions([new("late", "迟报", 2, 6), new("error", "差错", 1, null)]),
                    3 => new PerItem([new("city", "市级", 1), new("province", "省级", 3)]),
                    4 => new FigureScore("ratings:good_rate", 0.8m, 1m),
                    5 => new Formula(formula!, ["wait"]),
                    _ => new MultiSource([new("self", 0.2m), new("peer", 0.3m), new("expert", 0.5m)], true),
                };
                leaves.Add(new SchemeNode(code, code, 10, [], method, MissingPolicy.Renormalise));
            }

            groups.Add(new SchemeNode($"g{g}", $"第 {g + 1} 组", 100, leaves, Published: true, Weight: 0.1m));
        }

        scheme = new Scheme("bench", "基准方案", 1, new SchemeNode("total", "总分", 100, groups, Combine: Combine.Weighted), new Rounding(RoundingMode.HalfEven, 2),
            [new("优秀", 90), new("良好", 80), new("合格", 60), new("不合格", 0)]);
        if (SchemeValidator.Validate(scheme).Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", SchemeValidator.Validate(scheme)));
        }

        var rng = new Random(42);
        var at = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);
        units = new RoundUnit[Units];
        for (var u = 0; u < Units; u++)
        {
            var inputs = new Dictionary<string, LeafInput>(100);
            for (var g = 0; g < 10; g++)
            {
                for (var l = 0; l < 10; l++)
                {
                    var code = $"g{g}l{l}";
                    if (rng.Next(50) == 0)
                    {
                        continue; // about 2% missing, renormalised
                    }

                    inputs[code] = (l % 7) switch
                    {
                        0 => new LeafInput(Math.Round((decimal)rng.NextDouble() * 10, 1), EnteredBy: "评审员", EnteredAt: at),
                        1 => new LeafInput(Passed: rng.Next(2) == 0 ? ["a", "b"] : ["a", "b", "c"]),
                        2 => new LeafInput(Counts: new Dictionary<string, decimal> { ["late"] = rng.Next(5), ["error"] = rng.Next(3) }),
                        3 => new LeafInput(Counts: new Dictionary<string, decimal> { ["city"] = rng.Next(6), ["province"] = rng.Next(3) }),
                        4 => new LeafInput(0.8m + Math.Round((decimal)rng.NextDouble() * 0.2m, 4), Source: "好差评 2025"),
                        5 => new LeafInput(Values: new Dictionary<string, decimal> { ["wait"] = rng.Next(5, 30) }),
                        _ => new LeafInput(BySource: new Dictionary<string, decimal> { ["self"] = rng.Next(6, 11), ["peer"] = rng.Next(5, 11), ["expert"] = rng.Next(5, 11) }),
                    };
                }
            }

            units[u] = new RoundUnit($"单位{u:D5}", inputs);
        }
    }

    /// <summary>Scores, ranks and grades the round; every result holds its explanation tree.</summary>
    [Benchmark]
    public int ComputeRound() => Ranking.Compute(scheme, units).Count;

    /// <summary>The same, and every explanation written out as JSON in one stream (what one API response would send).</summary>
    [Benchmark]
    public long ComputeRoundAndSerialiseExplanations()
    {
        var results = Ranking.Compute(scheme, units);
        using var sink = new CountingStream();
        JsonSerializer.Serialize(sink, results, Compact);
        return sink.Length;
    }

    private static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private sealed class CountingStream : Stream
    {
        private long length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get => length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => length += count;
    }
}
}
