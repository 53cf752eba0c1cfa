using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Health;
using Pingjia.Server.Tests.Features.Surveys;

namespace Pingjia.Server.Tests.Pages;

/// <summary>Offices define surveys and assessment schemes and open rounds from the console.</summary>
[Collection(WebCollection.Name)]
public sealed class DesignPagesTests(WebFixture fixture) : BrowserTests(fixture)
{
    [Fact]
    public async Task Office_DefinesSurveyAndScheme_OpensRound()
    {
        var s = await SurveyScenario.CreateAsync(Web.Factory);
        var user = "des" + Environment.TickCount64 % 100000;
        var password = await Web.UserAsync(user, "bureau_admin", region: s.District);
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, user, password);

        var code = SurveyScenario.NewCode();
        await page.GotoAsync("/console/surveys");
        await page.GetByText("新建测评（问卷定义 JSON）").ClickAsync();
        await page.GetByLabel("定义（与 POST /api/v1/surveys 相同：单位、类别、配额、开放时间、题目与条件）").FillAsync("{ not json");
        await page.GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await page.GetByText("新建测评（问卷定义 JSON）").ClickAsync();
        await page.GetByLabel("定义（与 POST /api/v1/surveys 相同：单位、类别、配额、开放时间、题目与条件）").FillAsync(JsonSerializer.Serialize(s.Survey(code)));
        await page.GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync();
        await page.WaitForURLAsync($"**/console/surveys/{code}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2026 年度群众满意度测评" })).ToBeVisibleAsync();

        var scheme = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(PlatformTests.RepoRoot(), "schemes", "gov-service", "scheme.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var schemeCode = "gov-" + Guid.NewGuid().ToString("N")[..8];
        scheme["code"] = schemeCode;
        await page.GotoAsync("/console/assessments");
        await page.GetByLabel("方案文件内容").FillAsync(scheme.ToJsonString());
        await page.GetByRole(AriaRole.Button, new() { Name = "保存草稿" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = schemeCode });
        await row.GetByRole(AriaRole.Button, new() { Name = "发布" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = schemeCode })).ToContainTextAsync("已发布");
        await page.GetByLabel("方案（已发布）").SelectOptionAsync($"{schemeCode} v1");
        await page.GetByLabel("名称", new() { Exact = true }).FillAsync("2025 年度考核（页面创建）");
        await page.GetByLabel("期间").FillAsync("2025");
        await page.GetByLabel("区划代码").FillAsync(s.District);
        await page.GetByLabel("被考核单位（每行一个：名称[,机构信用代码]）").FillAsync($"甲中心,{s.Agency1}\n乙中心");
        await WebFixture.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2025 年度考核（页面创建）" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "甲中心" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "乙中心" })).ToBeVisibleAsync();
    }
}
