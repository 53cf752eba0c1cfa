using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pingjia.Server.Tests.Features.Health;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Assessments;

/// <summary>Schemes, rounds, inputs with provenance, bottom-up approval and results over the stored data, by role and scope.</summary>
public sealed class AssessmentApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>The gov-service template's scheme under a code of its own, so that tests do not share data.</summary>
    private static JsonObject GovScheme(out string code)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(PlatformTests.RepoRoot(), "schemes", "gov-service", "scheme.json")), documentOptions: Jsonc)!.AsObject();
        code = "gov-" + Guid.NewGuid().ToString("N")[..8];
        node["code"] = code;
        return node;
    }

    private async Task<HttpClient> KeyAsync(HttpClient admin, object request) =>
        factory.Client((await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys", request))).GetProperty("key").GetString());

    private sealed record Setup(HttpClient Admin, HttpClient Bureau, HttpClient Evaluator, HttpClient Manager, HttpClient OtherBureau, string District, string Agency, string Code);

    private async Task<Setup> SetupAsync()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var (_, other) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        var bureau = await KeyAsync(admin, new { name = "b", role = "bureau_admin", regionCode = district });
        var evaluator = await KeyAsync(admin, new { name = "e", role = "evaluator", regionCode = district });
        var manager = await KeyAsync(admin, new { name = "m", role = "agency_manager", agencyCreditCode = agency });
        var otherBureau = await KeyAsync(admin, new { name = "o", role = "bureau_admin", regionCode = other });
        var scheme = GovScheme(out var code);
        await PingjiaFactory.EnsureCreated(await bureau.PostAsJsonAsync("/api/v1/assessments/schemes", scheme));
        return new Setup(admin, bureau, evaluator, manager, otherBureau, district, agency, code);
    }

    private static async Task<(Guid Round, Guid A, Guid B)> RoundAsync(Setup s)
    {
        var round = await PingjiaFactory.EnsureCreated(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = s.Code, schemeVersion = 1, period = "2025", name = "2025 年度政务服务考核", regionCode = s.District,
            units = new object[] { new { name = "A区政务服务中心", agencyCreditCode = s.Agency }, new { name = "B区政务服务中心" } },
        }));
        var units = round.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("id").GetGuid());
        return (round.GetProperty("id").GetGuid(), units["A区政务服务中心"], units["B区政务服务中心"]);
    }

    private static string Inputs(Guid round, Guid unit, string node) => $"/api/v1/assessments/rounds/{round}/units/{unit}/inputs/{node}";

    private static string Unit(Guid round, Guid unit, string step) => $"/api/v1/assessments/rounds/{round}/units/{unit}/{step}";

    [Fact]
    public async Task Scheme_PublishedVersionIsImmutable_RoundsNeedPublished()
    {
        var s = await SetupAsync();
        var round = new { schemeCode = s.Code, schemeVersion = 1, period = "2025", name = "r", regionCode = s.District, units = new[] { new { name = "u" } } };
        await HttpAssert.Problem(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/rounds", round), 409, "scheme_not_published");
        var draft = GovScheme(out _);
        draft["code"] = s.Code;
        draft["name"] = "政务服务考核（修订）";
        Assert.Equal("政务服务考核（修订）", (await HttpAssert.Json(await s.Bureau.PutAsJsonAsync($"/api/v1/assessments/schemes/{s.Code}/versions/1", draft), 200)).GetProperty("name").GetString());
        await HttpAssert.Problem(await s.Evaluator.PostAsync($"/api/v1/assessments/schemes/{s.Code}/versions/1/publish", null), 403, "forbidden");
        var published = await HttpAssert.Json(await s.Bureau.PostAsync($"/api/v1/assessments/schemes/{s.Code}/versions/1/publish", null), 200);
        Assert.True(published.GetProperty("published").GetBoolean());
        await HttpAssert.Problem(await s.Bureau.PutAsJsonAsync($"/api/v1/assessments/schemes/{s.Code}/versions/1", draft), 409, "scheme_published");
        await HttpAssert.Problem(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/schemes", draft), 409, "scheme_version_exists");
        draft["version"] = 2;
        await PingjiaFactory.EnsureCreated(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/schemes", draft));
        var list = await HttpAssert.Json(await s.Evaluator.GetAsync("/api/v1/assessments/schemes"), 200);
        Assert.Equal(2, list.EnumerateArray().Count(x => x.GetProperty("code").GetString() == s.Code));
    }

    [Fact]
    public async Task Scheme_Invalid_RejectedWithEveryErrorByPath()
    {
        var s = await SetupAsync();
        var broken = JsonNode.Parse("""
            { "code": "bad", "root": { "code": "root", "points": 100, "children": [
                { "code": "a", "points": 40, "method": "manual" },
                { "code": "f", "points": 50, "method": "formula", "variables": [ "x" ], "formula": "exec(x) + y" },
                { "code": "c", "points": 5 } ] } }
            """);
        var problem = await HttpAssert.Problem(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/schemes", broken), 400, "invalid_scheme");
        Assert.Equal(["root.c", "root.f.formula", "root.points"], HttpAssert.Fields(problem).Order(StringComparer.Ordinal));
        Assert.Equal(2, problem.GetProperty("errors").GetProperty("root.f.formula").GetArrayLength()); // unknown function and unknown name
        await HttpAssert.Problem(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/schemes", new JsonArray()), 400, "invalid_scheme");
    }

    [Fact]
    public async Task Round_EntryApprovalAndResults_ReproduceTheTemplate()
    {
        var s = await SetupAsync();
        await s.Bureau.PostAsync($"/api/v1/assessments/schemes/{s.Code}/versions/1/publish", null);
        await HttpAssert.Problem(await s.OtherBureau.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = s.Code, schemeVersion = 1, period = "2025", name = "x", regionCode = s.District, units = new[] { new { name = "u" } },
        }), 404, "not_found");
        var (round, a, b) = await RoundAsync(s);

        // Evaluators enter inputs; the agency manager enters its own unit's self-assessment and sees only its unit.
        var aInputs = new Dictionary<string, object>
        {
            ["speed"] = new { value = 8.5 }, ["quality"] = new { value = 13 }, ["attitude"] = new { value = 5 }, ["enterprise"] = new { value = 0.92, source = "测评 2025 企业满意度指数 92, n = 300" },
            ["public"] = new { value = 0.875 }, ["team"] = new { value = 12.5 }, ["policy"] = new { value = 2 }, ["system"] = new { counts = new { violation = 1 } },
        };
        foreach (var (node, body) in aInputs)
        {
            await HttpAssert.Json(await s.Evaluator.PutAsJsonAsync(Inputs(round, a, node), body), 200);
        }

        var entered = await HttpAssert.Json(await s.Manager.PutAsJsonAsync(Inputs(round, a, "innovation"), new { bySource = new { self = 19, peer = 16, @public = 15, expert = 16 } }), 200);
        Assert.StartsWith("key:", entered.GetProperty("enteredBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(entered.GetProperty("enteredBy").GetString(), entered.GetProperty("input").GetProperty("enteredBy").GetString());
        await HttpAssert.Problem(await s.Manager.PutAsJsonAsync(Inputs(round, b, "speed"), new { value = 9 }), 404, "not_found");
        await HttpAssert.Problem(await s.OtherBureau.PutAsJsonAsync(Inputs(round, b, "speed"), new { value = 9 }), 404, "not_found");
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, "efficiency"), new { value = 9 }), 400, "unknown_node");
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, "system"), new { counts = new { missing_rule = -1 } }), 400, "validation_failed");
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, "speed"), new { value = 1e12 }), 400, "validation_failed");
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, "speed"), new
        {
            counts = Enumerable.Range(0, 100).ToDictionary(i => new string('k', 60) + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture), _ => 1),
            passed = Enumerable.Range(0, 200).Select(i => new string('x', 61) + i.ToString("000", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            source = new string('s', 500),
        }), 400, "input_too_large");
        var managerView = await HttpAssert.Json(await s.Manager.GetAsync($"/api/v1/assessments/rounds/{round}"), 200);
        Assert.Equal(["A区政务服务中心"], managerView.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("name").GetString()));

        var bInputs = new Dictionary<string, object>
        {
            ["speed"] = new { value = 9 }, ["quality"] = new { value = 14 }, ["attitude"] = new { value = 4.5 }, ["innovation"] = new { bySource = new { self = 20, peer = 18, expert = 17.5 } },
            ["enterprise"] = new { value = 0.95 }, ["team"] = new { value = 14 }, ["policy"] = new { value = 2 }, ["system"] = new { counts = new { missing_rule = 3 } },
        };
        foreach (var (node, body) in bInputs)
        {
            await HttpAssert.Json(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, node), body), 200);
        }

        // Approval goes unit by unit and locks the inputs; computing waits for every unit.
        await HttpAssert.Problem(await s.Bureau.PostAsync($"/api/v1/assessments/rounds/{round}/compute", null), 409, "round_not_approved");
        await HttpAssert.Json(await s.Manager.PostAsync(Unit(round, a, "submit"), null), 200);
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, a, "speed"), new { value = 10 }), 409, "unit_locked");
        await HttpAssert.Problem(await s.Manager.PostAsync(Unit(round, a, "approve"), null), 403, "forbidden");
        await HttpAssert.Problem(await s.Bureau.PostAsync(Unit(round, b, "approve"), null), 409, "invalid_state");
        await HttpAssert.Json(await s.Evaluator.PostAsync(Unit(round, b, "submit"), null), 200);
        await HttpAssert.Json(await s.Bureau.PostAsync(Unit(round, b, "return"), null), 200);
        await HttpAssert.Json(await s.Evaluator.PutAsJsonAsync(Inputs(round, b, "team"), new { value = 14 }), 200);
        await HttpAssert.Json(await s.Evaluator.PostAsync(Unit(round, b, "submit"), null), 200);
        foreach (var unit in new[] { a, b })
        {
            var approved = await HttpAssert.Json(await s.Bureau.PostAsync(Unit(round, unit, "approve"), null), 200);
            Assert.Equal("approved", approved.GetProperty("state").GetString());
        }

        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(round, a, "speed"), new { value = 10 }), 409, "unit_locked");
        await HttpAssert.Problem(await s.Evaluator.PostAsync($"/api/v1/assessments/rounds/{round}/compute", null), 403, "forbidden");
        var results = await HttpAssert.Json(await s.Bureau.PostAsync($"/api/v1/assessments/rounds/{round}/compute", null), 200);
        Assert.Equal(new[] { ("B区政务服务中心", 1, 91.00m, "优秀"), ("A区政务服务中心", 2, 86.43m, "良好") },
            results.EnumerateArray().Select(r => (r.GetProperty("unit").GetString()!, r.GetProperty("rank").GetInt32(), r.GetProperty("total").GetDecimal(), r.GetProperty("grade").GetString()!)).ToArray());
        Assert.Equal("86.425", results[1].GetProperty("unrounded").GetString());

        var withTrees = await HttpAssert.Json(await s.Bureau.GetAsync($"/api/v1/assessments/rounds/{round}/results?explanations=true"), 200);
        Assert.Equal("multi_source", withTrees[1].GetProperty("explanation").GetProperty("children")[1].GetProperty("method").GetString());
        var own = await HttpAssert.Json(await s.Manager.GetAsync($"/api/v1/assessments/rounds/{round}/results"), 200);
        Assert.Equal(["A区政务服务中心"], own.EnumerateArray().Select(r => r.GetProperty("unit").GetString()));
        var text = await (await s.Manager.GetAsync($"/api/v1/assessments/rounds/{round}/units/{a}/explanation")).Content.ReadAsStringAsync();
        Assert.Contains("总分：86.43", text, StringComparison.Ordinal);
        Assert.Contains("原始 26.5，得分 26.5，计入上级 26.5", text, StringComparison.Ordinal);        // contributions survive storage
        Assert.Equal(26.5m, withTrees[1].GetProperty("explanation").GetProperty("children")[0].GetProperty("contribution").GetDecimal());
        Assert.Contains("测评 2025 企业满意度指数 92, n = 300", text, StringComparison.Ordinal);
        Assert.Contains(" 录入", text, StringComparison.Ordinal);
        await HttpAssert.Problem(await s.Manager.GetAsync($"/api/v1/assessments/rounds/{round}/units/{b}/explanation"), 404, "not_found");
    }

    [Fact]
    public async Task Approval_BottomUp_ParentAfterItsSubunits()
    {
        var s = await SetupAsync();
        var fujian = JsonNode.Parse(File.ReadAllText(Path.Combine(PlatformTests.RepoRoot(), "schemes", "fujian-industry", "scheme.json")), documentOptions: Jsonc)!.AsObject();
        var code = "fj-" + Guid.NewGuid().ToString("N")[..8];
        fujian["code"] = code;
        await PingjiaFactory.EnsureCreated(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/schemes", fujian));
        await s.Bureau.PostAsync($"/api/v1/assessments/schemes/{code}/versions/1/publish", null);
        await HttpAssert.Problem(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = code, schemeVersion = 1, period = "2025", name = "loop", regionCode = s.District,
            units = new object[] { new { name = "S", parent = "C" }, new { name = "C", level = "city", parent = "S" } },
        }), 400, "unit_cycle");
        var round = await PingjiaFactory.EnsureCreated(await s.Bureau.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = code, schemeVersion = 1, period = "2025", name = "行业测评", regionCode = s.District,
            units = new object[] { new { name = "卫生健康行业" }, new { name = "福州市卫生健康", level = "city", parent = "卫生健康行业" } },
        }));
        var id = round.GetProperty("id").GetGuid();
        var units = round.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("id").GetGuid());
        var (sector, city) = (units["卫生健康行业"], units["福州市卫生健康"]);
        await HttpAssert.Json(await s.Evaluator.PutAsJsonAsync(Inputs(id, sector, "province_review"), new { value = 92 }), 200);
        await HttpAssert.Problem(await s.Evaluator.PutAsJsonAsync(Inputs(id, sector, "cities"), new { value = 92 }), 400, "unknown_node");
        foreach (var (node, value) in new[] { ("city_review", 90m), ("environment", 27m), ("state", 36m), ("management", 25.5m) })
        {
            await HttpAssert.Json(await s.Evaluator.PutAsJsonAsync(Inputs(id, city, node), new { value }), 200);
        }

        await s.Evaluator.PostAsync(Unit(id, sector, "submit"), null);
        await s.Evaluator.PostAsync(Unit(id, city, "submit"), null);
        await HttpAssert.Problem(await s.Bureau.PostAsync(Unit(id, sector, "approve"), null), 409, "subunits_not_approved");
        await HttpAssert.Json(await s.Bureau.PostAsync(Unit(id, city, "approve"), null), 200);
        await HttpAssert.Json(await s.Bureau.PostAsync(Unit(id, sector, "approve"), null), 200);
        var results = await HttpAssert.Json(await s.Bureau.PostAsync($"/api/v1/assessments/rounds/{id}/compute", null), 200);
        // 0.2 × 92 + 0.8 × 88.95 = 18.4 + 71.16 = 89.56; the city 88.95.
        Assert.Equal([("卫生健康行业", 89.56m), ("福州市卫生健康", 88.95m)], results.EnumerateArray().Select(r => (r.GetProperty("unit").GetString(), r.GetProperty("total").GetDecimal())));
    }

    [Fact]
    public async Task FigureFromRatings_GoodRateOfTheUnitsAgency_WithItsCounts()
    {
        var r = await RatingScenario.CreateAsync(factory);
        var bureau = await KeyAsync(r.Admin, new { name = "b", role = "bureau_admin", regionCode = r.District });
        foreach (var level in new[] { 5, 5, 4, 2 })
        {
            await HttpAssert.Json(await r.RateAsync(RatingScenario.Rating(await r.FinishedCaseAsync(), level, text: level <= 2 ? "等候太久" : null)), 201);
        }

        var code = "hp-" + Guid.NewGuid().ToString("N")[..8];
        var scheme = JsonNode.Parse($$"""
            { "code": "{{code}}", "name": "好差评折算", "root": { "code": "t", "points": 100, "children": [
                { "code": "good", "name": "好评率", "points": 60, "method": "figure", "source": "ratings:good_rate", "low": 0.5, "high": 1 },
                { "code": "work", "name": "其他工作", "points": 40, "method": "manual" },
                { "code": "nope", "name": "非好差评指标", "points": 0, "method": "figure", "source": "survey:x" } ] } }
            """);
        await PingjiaFactory.EnsureCreated(await bureau.PostAsJsonAsync("/api/v1/assessments/schemes", scheme));
        await bureau.PostAsync($"/api/v1/assessments/schemes/{code}/versions/1/publish", null);
        var round = await PingjiaFactory.EnsureCreated(await bureau.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = code, schemeVersion = 1, period = "2026", name = "好差评", regionCode = r.District, units = new[] { new { name = "窗口单位", agencyCreditCode = r.Agency } },
        }));
        var id = round.GetProperty("id").GetGuid();
        var unit = round.GetProperty("units")[0].GetProperty("id").GetGuid();
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime.AddHours(8)).ToString("yyyy-MM-dd");
        await HttpAssert.Problem(await bureau.PostAsync($"/api/v1/assessments/rounds/{id}/inputs/nope/from-ratings?from={today}&to={today}", null), 400, "not_a_ratings_figure");
        await HttpAssert.Problem(await bureau.PostAsync($"/api/v1/assessments/rounds/{id}/inputs/good/from-ratings", null), 400, "validation_failed");
        var fed = await HttpAssert.Json(await bureau.PostAsync($"/api/v1/assessments/rounds/{id}/inputs/good/from-ratings?from={today}&to={today}", null), 200);
        var input = fed[0].GetProperty("input");
        Assert.Equal(0.75m, input.GetProperty("value").GetDecimal()); // levels 5, 5, 4 good of 4 valid ratings
        Assert.Contains("好评率 3/4", input.GetProperty("source").GetString(), StringComparison.Ordinal);
        await HttpAssert.Json(await bureau.PutAsJsonAsync(Inputs(id, unit, "work"), new { value = 40 }), 200);
        await HttpAssert.Json(await bureau.PutAsJsonAsync(Inputs(id, unit, "nope"), new { value = 1 }), 200);
        await HttpAssert.Json(await bureau.PostAsync(Unit(id, unit, "submit"), null), 200);
        await HttpAssert.Json(await bureau.PostAsync(Unit(id, unit, "approve"), null), 200);
        var results = await HttpAssert.Json(await bureau.PostAsync($"/api/v1/assessments/rounds/{id}/compute", null), 200);
        Assert.Equal(70m, results[0].GetProperty("total").GetDecimal()); // 60 × (0.75 − 0.5) / 0.5 = 30, plus 40
    }
}
