using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using Pingjia.Domain.Assessments;
using Pingjia.Server.Features.Assessments;
using Pingjia.Server.Tests.Features.Health;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Assessments;

/// <summary>Data-entry workbooks out and back in (with row-level errors), results workbooks, through the CLI and the API.</summary>
public sealed class ExcelTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static string Schemes => Path.Combine(PlatformTests.RepoRoot(), "schemes");

    private static (Scheme Scheme, RoundInput Input) Template(string template)
    {
        var dir = Path.Combine(Schemes, template);
        var scheme = SchemeFile.Load(File.ReadAllText(Path.Combine(dir, "scheme.json"))).Scheme!;
        return (scheme, JsonSerializer.Deserialize<RoundInput>(File.ReadAllText(Path.Combine(dir, "example-input.json")), AssessCommand.Json)!);
    }

    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Schemes).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void EntryWorkbook_RoundTrip_GivesTheSameResults(string template)
    {
        var (scheme, input) = Template(template);
        using var workbook = new MemoryStream();
        AssessExcel.WriteEntryWorkbook(workbook, scheme, input);
        workbook.Position = 0;
        var (read, errors) = AssessExcel.ReadInputs(workbook, scheme);
        Assert.Empty(errors);
        var expected = AssessCommand.Compute(scheme, input).Results;
        var actual = AssessCommand.Compute(scheme, read!).Results;
        Assert.Equal(expected.Select(r => (r.Unit, r.Rank, r.Unrounded, r.Grade)), actual.Select(r => (r.Unit, r.Rank, r.Unrounded, r.Grade)));
    }

    [Fact]
    public void ReadInputs_BadRows_EveryRowReported_NothingReturned()
    {
        var (scheme, _) = Template("gov-service");
        var units = new[] { new Dictionary<string, object?> { ["单位"] = "A区", ["层级"] = null }, new Dictionary<string, object?> { ["单位"] = "D区", ["层级"] = "city" } };
        var rows = new List<Dictionary<string, object?>>
        {
            Entry("A区", "speed", "value", "", 8.5),            // row 2: fine
            Entry("C区", "speed", "value", "", 9),              // row 3: unknown unit
            Entry("A区", "nosuch", "value", "", 1),             // row 4: unknown node
            Entry("A区", "quality", "value", "", "十三"),        // row 5: not a number
            Entry("A区", "system", "count", "violation", -1),   // row 6: negative count
            Entry("A区", "speed", "value", "", 8),              // row 7: duplicate
            Entry("A区", "system", "count", "nosuch", 1),       // row 8: unknown key
            Entry("A区", "speed", "per_period", "400", 1),      // row 9: a field the node does not take
        };
        using var workbook = new MemoryStream();
        workbook.SaveAs(new Dictionary<string, object> { [AssessExcel.UnitsSheet] = units, [AssessExcel.EntrySheet] = rows }, excelType: ExcelType.XLSX);
        workbook.Position = 0;
        var (read, errors) = AssessExcel.ReadInputs(workbook, scheme);
        Assert.Null(read);
        Assert.Contains(errors, e => e.StartsWith("单位 第 3 行", StringComparison.Ordinal) && e.Contains("city", StringComparison.Ordinal));
        foreach (var row in new[] { 3, 4, 5, 6, 7, 8, 9 })
        {
            Assert.Contains(errors, e => e.StartsWith($"录入 第 {row} 行", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(errors, e => e.StartsWith("录入 第 2 行", StringComparison.Ordinal));
        Assert.Single(AssessExcel.ReadInputs(new MemoryStream([1, 2, 3]), scheme).Errors);
    }

    private static Dictionary<string, object?> Entry(string unit, string code, string field, string key, object value) =>
        new() { ["单位"] = unit, ["指标代码"] = code, ["指标名称"] = "", ["字段"] = field, ["键"] = key, ["值"] = value, ["录入人"] = null, ["录入时间"] = null, ["来源说明"] = null };

    [Fact]
    public async Task RoundWorkbook_ExportFillImport_RowErrorsThenResultsWorkbook()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var evaluator = factory.Client((await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "e", role = "evaluator", regionCode = district }))).GetProperty("key").GetString());
        var scheme = JsonNode.Parse(File.ReadAllText(Path.Combine(Schemes, "gov-service", "scheme.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var code = "xl-" + Guid.NewGuid().ToString("N")[..8];
        scheme["code"] = code;
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/assessments/schemes", scheme));
        await admin.PostAsync($"/api/v1/assessments/schemes/{code}/versions/1/publish", null);
        var round = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = code, schemeVersion = 1, period = "2025", name = "Excel", regionCode = district,
            units = new[] { new { name = "A区政务服务中心" }, new { name = "B区政务服务中心" } },
        }));
        var id = round.GetProperty("id").GetGuid();

        // The exported workbook lists every field of every unit, empty; fill it from the template's example.
        var exported = await admin.GetAsync($"/api/v1/assessments/rounds/{id}/workbook");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exported.Content.Headers.ContentType?.MediaType);
        using var blank = new MemoryStream(await exported.Content.ReadAsByteArrayAsync());
        var rows = blank.Query(useHeaderRow: true, sheetName: AssessExcel.EntrySheet).Cast<IDictionary<string, object?>>().Select(r => r.ToDictionary(k => k.Key, k => k.Value)).ToList();
        Assert.Contains(rows, r => (string?)r["指标代码"] == "innovation" && (string?)r["字段"] == "by_source" && (string?)r["键"] == "expert");
        var (_, example) = Template("gov-service");
        foreach (var r in rows)
        {
            var input = example.Units!.Single(u => u.Unit == (string)r["单位"]!).Inputs!.GetValueOrDefault((string)r["指标代码"]!);
            r["值"] = (string?)r["字段"] switch
            {
                "value" => input?.Value,
                "count" => input?.Counts?.GetValueOrDefault((string)r["键"]!),
                "by_source" => input?.BySource?.TryGetValue((string)r["键"]!, out var v) == true ? v : null,
                _ => null,
            };
        }

        async Task<HttpResponseMessage> Upload(List<Dictionary<string, object?>> entries)
        {
            using var filled = new MemoryStream();
            filled.SaveAs(new Dictionary<string, object> { [AssessExcel.EntrySheet] = entries }, excelType: ExcelType.XLSX);
            var content = new ByteArrayContent(filled.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            return await evaluator.PostAsync($"/api/v1/assessments/rounds/{id}/workbook", content);
        }

        var broken = rows.Select(r => new Dictionary<string, object?>(r)).ToList();
        broken[0]["值"] = "abc";
        var problem = await HttpAssert.Problem(await Upload(broken), 400, "invalid_workbook");
        Assert.Contains("录入 第 2 行", problem.GetProperty("errors").GetProperty("workbook")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await HttpAssert.Json(await admin.GetAsync($"/api/v1/assessments/rounds/{id}/units/{round.GetProperty("units")[0].GetProperty("id").GetGuid()}/inputs"), 200)).EnumerateArray());

        var imported = await HttpAssert.Json(await Upload(rows), 200);
        Assert.Equal(17, imported.GetProperty("inputs").GetInt32()); // A区 9 leaves, B区 8 (no 群众满意度)
        foreach (var unit in round.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("id").GetGuid()))
        {
            await HttpAssert.Json(await evaluator.PostAsync($"/api/v1/assessments/rounds/{id}/units/{unit}/submit", null), 200);
            await HttpAssert.Json(await admin.PostAsync($"/api/v1/assessments/rounds/{id}/units/{unit}/approve", null), 200);
        }

        await HttpAssert.Problem(await Upload(rows), 400, "invalid_workbook"); // locked after approval
        var results = await HttpAssert.Json(await admin.PostAsync($"/api/v1/assessments/rounds/{id}/compute", null), 200);
        Assert.Equal([91.00m, 86.43m], results.EnumerateArray().Select(r => r.GetProperty("total").GetDecimal()));
        using var xlsx = new MemoryStream(await (await admin.GetAsync($"/api/v1/assessments/rounds/{id}/results.xlsx")).Content.ReadAsByteArrayAsync());
        Assert.Equal(["结果", "B区政务服务中心", "A区政务服务中心"], xlsx.GetSheetNames());
    }
}
