using System.Text.Json;
using MiniExcelLibs;
using Pingjia.Domain.Assessments;
using Pingjia.Server.Features.Assessments;
using Pingjia.Server.Tests.Cli;
using Pingjia.Server.Tests.Features.Health;

namespace Pingjia.Server.Tests.Features.Assessments;

/// <summary>Every template in schemes/ reproduces the results worked by hand in its README.md, exactly.</summary>
[Collection("cli")]
public sealed class TemplateTests
{
    private static string Schemes => Path.Combine(PlatformTests.RepoRoot(), "schemes");

    private static (Scheme Scheme, RoundOutput Output) Run(string template)
    {
        var dir = Path.Combine(Schemes, template);
        var (scheme, errors) = SchemeFile.Load(File.ReadAllText(Path.Combine(dir, "scheme.json")));
        Assert.True(scheme is not null, string.Join("\n", errors));
        var input = JsonSerializer.Deserialize<RoundInput>(File.ReadAllText(Path.Combine(dir, "example-input.json")), AssessCommand.Json)!;
        return (scheme, AssessCommand.Compute(scheme, input));
    }

    /// <summary>Asserts (unit, rank, published total, grade) for every unit, in output order.</summary>
    private static RoundOutput Expect(string template, params (string Unit, int Rank, string Total, string? Grade)[] expected)
    {
        var (scheme, output) = Run(template);
        Assert.Equal(expected, output.Results.Select(r => (r.Unit, r.Rank, scheme.Rounding.Format(r.Total), r.Grade)).ToArray());
        return output;
    }

    private static NodeScore Node(RoundOutput output, string unit, string code) =>
        Ranking.Find(output.Results.Single(r => r.Unit == unit).Explanation, code)!;

    [Fact]
    public void GovService_ReproducesHandWorkedExample()
    {
        var output = Expect("gov-service", ("B区政务服务中心", 1, "91.00", "优秀"), ("A区政务服务中心", 2, "86.43", "良好"));
        Assert.Equal(86.425m, output.Results[1].Unrounded);
        Assert.Equal(16m, Node(output, "A区政务服务中心", "innovation").Value);
        Assert.Equal(18m, Node(output, "B区政务服务中心", "innovation").Value);
        Assert.Equal(28.5m, Node(output, "B区政务服务中心", "satisfaction").Value);
    }

    [Fact]
    public void FujianIndustry_ReproducesHandWorkedExample()
    {
        var output = Expect("fujian-industry",
            ("卫生健康行业", 1, "90.22", "优秀"),
            ("厦门市卫生健康", 1, "90.60", "优秀"), ("福州市卫生健康", 2, "88.95", "良好"),
            ("卫生健康行业（第七届）", 1, "26.51", null));
        Assert.Equal(71.82m, Node(output, "卫生健康行业", "cities").Contribution);
        Assert.Equal(26.508m, output.Results[3].Unrounded);
    }

    [Fact]
    public void GuangdongWebsite_ReproducesHandWorkedExample_TieBrokenByDisclosure()
    {
        var output = Expect("guangdong-website", ("深圳市", 1, "95.80", "优秀"), ("佛山市", 2, "79.00", "合格"), ("广州市", 3, "79.00", "合格"), ("珠海市", 4, "64.00", "合格"));
        Assert.Equal(0m, Node(output, "珠海市", "security").Value);
        Assert.Equal(6m, Node(output, "广州市", "email").Value);
    }

    [Fact]
    public void NingdeInfo_ReproducesHandWorkedExample()
    {
        var output = Expect("ningde-info", ("福安市", 1, "4.40", null), ("蕉城区", 2, "2.72", null));
        Assert.Equal(68m, Node(output, "蕉城区", "info").Rounded);
        Assert.Equal(110m, Node(output, "福安市", "info").Rounded);
        Assert.Equal(0m, Node(output, "蕉城区", "training").Value);
    }

    [Fact]
    public void GansuInfo_ReproducesHandWorkedExample_AwardsByQuota() =>
        Expect("gansu-info", ("兰州市", 1, "95", "一等"), ("天水市", 2, "78", "二等"), ("酒泉市", 2, "78", "二等"), ("省交通运输厅", 4, "76", "三等"), ("省农业农村厅", 5, "31", "未获奖"));

    [Fact]
    public void YingdongInfo_ReproducesHandWorkedExample() =>
        Expect("yingdong-info",
            ("城关镇", 1, "35.00", "达标"), ("新华镇", 2, "17.50", "未达标"),
            ("区扶贫办", 1, "17.50", "达标"), ("区民宗局", 2, "10.00", "未达标"), ("区粮食局", 3, "0.00", "通报批评"),
            ("城关镇（全年）", 1, "10.00", null), ("东城街道（全年）", 2, "7.08", null), ("新华镇（全年）", 3, "0.00", null));

    [Fact]
    public void XxNewsInfo_ReproducesHandWorkedExample()
    {
        var output = Expect("xx-news-info", ("甲县局", 1, "142.00", null), ("政工科", 2, "98.00", null), ("乙县局", 3, "0.00", null), ("办公室", 3, "0.00", null));
        Assert.Equal(95m, Node(output, "甲县局", "submission").Value);
        Assert.Contains(output.Results.Single(r => r.Unit == "办公室").Explanation.Notes, n => n.Contains("未完成基本报送任务 36 条", StringComparison.Ordinal));
    }

    [Fact]
    public void GovIntegrity_ReproducesHandWorkedExample() =>
        Expect("gov-integrity", ("市发展改革委", 1, "88.5", "良好"), ("市住房城乡建设局", 2, "78.0", "合格"));

    [Fact]
    public void ServiceCentre_ReproducesHandWorkedExample()
    {
        var output = Expect("service-centre", ("市民服务中心", 1, "92.30", "优秀"), ("城东分中心", 2, "67.86", "合格"));
        Assert.Equal(13.5m, Node(output, "城东分中心", "waiting").Rounded);
        Assert.True(Node(output, "城东分中心", "satisfaction").Missing);
    }

    [Fact]
    public void StatsQuality_ReproducesHandWorkedExample() =>
        Expect("stats-quality", ("甲区统计局", 1, "91.25", "优秀"), ("乙县统计局", 2, "67.50", "合格"), ("丙县统计局", 3, "35.00", "不合格"));

    [Fact]
    public void Zhengfeng_ReproducesHandWorkedExample_DenseTies() =>
        Expect("zhengfeng", ("县国土资源局", 1, "85.50", "满意"), ("县交通运输局", 2, "79.00", "比较满意"), ("县住房城乡建设局", 2, "79.00", "比较满意"));

    [Fact]
    public void EveryTemplate_HasATestAbove()
    {
        var tested = new[] { "gov-service", "fujian-industry", "guangdong-website", "ningde-info", "gansu-info", "yingdong-info", "xx-news-info", "gov-integrity", "service-centre", "stats-quality", "zhengfeng" };
        Assert.Equal(tested.Order(StringComparer.Ordinal), Directory.GetDirectories(Schemes).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AssessRun_GovServiceTemplate_WritesRankedResults()
    {
        var dir = Path.Combine(Schemes, "gov-service");
        var output = Path.Combine(Path.GetTempPath(), $"gov-{Guid.NewGuid():N}.json");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "run", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--period", "2025", "--out", output);
        Assert.True(exit == 0, stdout + stderr);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(("B区政务服务中心", 1, 91.00m, "优秀"), (results[0].GetProperty("unit").GetString(), results[0].GetProperty("rank").GetInt32(), results[0].GetProperty("total").GetDecimal(), results[0].GetProperty("grade").GetString()));
        Assert.Equal(86.425m, results[1].GetProperty("unrounded").GetDecimal());
        Assert.Contains("1. B区政务服务中心: 91.00 优秀", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssessRun_WrongPeriod_Rejected()
    {
        var dir = Path.Combine(Schemes, "gov-service");
        var (exit, _, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "run", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--period", "2024");
        Assert.Equal(1, exit);
        Assert.Contains("2025", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssessExplain_Unit_PrintsChineseTreeWithProvenance()
    {
        var dir = Path.Combine(Schemes, "gov-service");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "explain", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--unit", "B区政务服务中心");
        Assert.True(exit == 0, stderr);
        Assert.Contains("总分：91.00", stdout, StringComparison.Ordinal);
        Assert.Contains("名次：第 1 名；等次：优秀", stdout, StringComparison.Ordinal);
        Assert.Contains("缺少 public 的数据，按其余的权重折算", stdout, StringComparison.Ordinal);   // missing source, renormalised
        Assert.Contains("制度缺失 扣分 3 超过该项上限 2", stdout, StringComparison.Ordinal);          // cap applied
        var (exitA, stdoutA, _) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "explain", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--unit", "A区政务服务中心");
        Assert.Equal(0, exitA);
        Assert.Contains("评审员甲 于 2026-01-05 10:00 录入", stdoutA, StringComparison.Ordinal);        // who entered it and when
        var (missing, _, err) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "explain", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--unit", "C区");
        Assert.Equal(1, missing);
        Assert.Contains("C区", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssessRun_XlsxInAndOut_ResultsWithAnExplanationSheetPerUnit()
    {
        var dir = Path.Combine(Schemes, "gov-service");
        var entry = Path.Combine(Path.GetTempPath(), $"entry-{Guid.NewGuid():N}.xlsx");
        var results = Path.Combine(Path.GetTempPath(), $"results-{Guid.NewGuid():N}.xlsx");
        try
        {
            var (exit, _, err) = await CliRunner.RunAsync(new Dictionary<string, string?>(), "assess", "workbook", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--out", entry);
            Assert.True(exit == 0, err);
            (exit, var stdout, err) = await CliRunner.RunAsync(new Dictionary<string, string?>(), "assess", "run", "--scheme", Path.Combine(dir, "scheme.json"), "--input", entry, "--out", results);
            Assert.True(exit == 0, err);
            Assert.Contains("1. B区政务服务中心: 91.00 优秀", stdout, StringComparison.Ordinal);
            Assert.Equal(["结果", "B区政务服务中心", "A区政务服务中心"], MiniExcel.GetSheetNames(results));
            var ranked = MiniExcel.Query(results, useHeaderRow: true, sheetName: "结果").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal("A区政务服务中心", ranked[1]["单位"]);
            Assert.Equal(86.43m, Convert.ToDecimal(ranked[1]["总分"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("良好", ranked[1]["等次"]);
            var explanation = MiniExcel.Query(results, useHeaderRow: true, sheetName: "A区政务服务中心").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal("total", explanation[0]["代码"]);
            Assert.Contains(explanation, r => (string?)r["代码"] == "speed" && ((string?)r["来源"] ?? "").Contains("评审员甲", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(entry);
            File.Delete(results);
        }
    }

    [Fact]
    public void SchemeFile_BrokenScheme_ReportsEveryErrorWithItsPath()
    {
        const string broken = """
            { "code": "x", "root": { "code": "root", "points": 100, "children": [
                { "code": "a", "points": 40, "method": "manual" },
                { "code": "b", "points": 50, "method": "magic" },
                { "code": "f", "points": 4, "method": "formula", "variables": [ "x" ], "formula": "evil(x) + y" },
                { "code": "c", "points": 5 } ] } }
            """;
        var (scheme, errors) = SchemeFile.Load(broken);
        Assert.Null(scheme);
        Assert.Contains(errors, e => e.Path == "root.points");
        Assert.Contains(errors, e => e.Path == "root.b.method" && e.Message.Contains("magic", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "root.c" && e.Message.Contains("method", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "root.f.formula" && e.Message.Contains("evil", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "root.f.formula" && e.Message.Contains("'y'", StringComparison.Ordinal));
        Assert.Single(SchemeFile.Load("{ \"code\": 5 ").Errors);
    }

    [Fact]
    public async Task AssessRun_BrokenScheme_ExitsWithEveryError()
    {
        var scheme = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(scheme, """{ "code": "x", "root": { "code": "r", "points": 10, "children": [ { "code": "a", "points": 4, "method": "manual" } ] } }""");
        var (exit, _, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(), "assess", "run", "--scheme", scheme, "--input", scheme);
        File.Delete(scheme);
        Assert.Equal(1, exit);
        Assert.Contains("r.points", stderr, StringComparison.Ordinal);
    }
}
