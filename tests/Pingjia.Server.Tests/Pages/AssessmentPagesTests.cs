using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Health;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>An evaluator enters assessment data in the browser, a bureau admin approves and sees the ranked result with its explanation.</summary>
[Collection(WebCollection.Name)]
public sealed class AssessmentPagesTests(WebFixture fixture) : BrowserTests(fixture)
{
    [Fact]
    public async Task Evaluator_EntersData_BureauApproves_SeesRankedResultWithExplanation()
    {
        var admin = Web.Api();
        var (_, district) = await Web.Factory.NewDistrictAsync(admin);
        var agency = await Web.Factory.NewAgencyAsync(district, admin);
        var scheme = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(PlatformTests.RepoRoot(), "schemes", "gov-service", "scheme.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var code = "gov-" + Guid.NewGuid().ToString("N")[..8];
        scheme["code"] = code;
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/assessments/schemes", scheme));
        await HttpAssert.Json(await admin.PostAsync($"/api/v1/assessments/schemes/{code}/versions/1/publish", null), 200);
        var round = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/assessments/rounds", new
        {
            schemeCode = code, schemeVersion = 1, period = "2025", name = "2025 年度政务服务考核", regionCode = district,
            units = new object[] { new { name = "A区政务服务中心", agencyCreditCode = agency }, new { name = "B区政务服务中心" } },
        }));
        var id = round.GetProperty("id").GetGuid();
        var units = round.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("name").GetString()!, u => u.GetProperty("id").GetGuid());
        var (a, b) = (units["A区政务服务中心"], units["B区政务服务中心"]);
        string Inputs(Guid unit, string node) => $"/api/v1/assessments/rounds/{id}/units/{unit}/inputs/{node}";
        // Everything but A's speed score arrives through the API (as from the workbook); the evaluator types that one in the page.
        foreach (var (node, body) in new Dictionary<string, object>
        {
            ["quality"] = new { value = 13 }, ["attitude"] = new { value = 5 }, ["enterprise"] = new { value = 0.92, source = "测评 2025 企业满意度指数 92, n = 300" },
            ["public"] = new { value = 0.875 }, ["team"] = new { value = 12.5 }, ["policy"] = new { value = 2 }, ["system"] = new { counts = new { violation = 1 } },
            ["innovation"] = new { bySource = new { self = 19, peer = 16, @public = 15, expert = 16 } },
        })
        {
            await HttpAssert.Json(await admin.PutAsJsonAsync(Inputs(a, node), body), 200);
        }

        foreach (var (node, body) in new Dictionary<string, object>
        {
            ["speed"] = new { value = 9 }, ["quality"] = new { value = 14 }, ["attitude"] = new { value = 4.5 }, ["innovation"] = new { bySource = new { self = 20, peer = 18, expert = 17.5 } },
            ["enterprise"] = new { value = 0.95 }, ["team"] = new { value = 14 }, ["policy"] = new { value = 2 }, ["system"] = new { counts = new { missing_rule = 3 } },
        })
        {
            await HttpAssert.Json(await admin.PutAsJsonAsync(Inputs(b, node), body), 200);
        }

        var evaluator = "eva" + Environment.TickCount64 % 100000;
        var evaluatorPassword = await Web.UserAsync(evaluator, "evaluator", region: district);
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, evaluator, evaluatorPassword);
        await page.GotoAsync("/console/assessments");
        await page.GetByRole(AriaRole.Link, new() { Name = "2025 年度政务服务考核" }).First.ClickAsync();
        var unitA = page.Locator("section").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "A区政务服务中心" }) });
        await unitA.GetByLabel("指标").SelectOptionAsync("speed");
        await unitA.GetByLabel("得分或数值").FillAsync("8.5");
        await unitA.GetByLabel("来源说明（选填）").FillAsync("现场检查记录");
        await WebFixture.AssertAccessibleAsync(page);
        await unitA.GetByRole(AriaRole.Button, new() { Name = "录入" }).ClickAsync();
        await Assertions.Expect(page.GetByText("已保存。")).ToBeVisibleAsync();
        foreach (var name in new[] { "A区政务服务中心", "B区政务服务中心" })
        {
            var unit = page.Locator("section").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = name }) });
            await unit.GetByRole(AriaRole.Button, new() { Name = "提交审核" }).ClickAsync();
            await Assertions.Expect(page.GetByText("已保存。")).ToBeVisibleAsync();
        }

        // The evaluator may not approve.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "审核通过" })).ToHaveCountAsync(0);

        var bureau = "bur" + Environment.TickCount64 % 100000;
        var bureauPassword = await Web.UserAsync(bureau, "bureau_admin", region: district);
        var office = await Web.NewPageAsync();
        await WebFixture.SignInAsync(office, bureau, bureauPassword);
        await office.GotoAsync($"/console/assessments/{id}");
        foreach (var name in new[] { "A区政务服务中心", "B区政务服务中心" })
        {
            var unit = office.Locator("section").Filter(new() { Has = office.GetByRole(AriaRole.Heading, new() { Name = name }) });
            await unit.GetByRole(AriaRole.Button, new() { Name = "审核通过" }).ClickAsync();
            await Assertions.Expect(office.GetByText("已保存。")).ToBeVisibleAsync();
        }

        await office.GetByRole(AriaRole.Button, new() { Name = "计算结果" }).ClickAsync();
        var rows = office.GetByRole(AriaRole.Table).First.GetByRole(AriaRole.Row);
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("B区政务服务中心");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("91.00");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("优秀");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("A区政务服务中心");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("86.43");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("良好");
        await rows.Nth(2).GetByText("查看得分构成").ClickAsync();
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("总分：86.43");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("现场检查记录");
        await WebFixture.AssertAccessibleAsync(office);
        await WebFixture.ScreenshotAsync(office, "console-assessment-results");
    }
}
