using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Ratings;

namespace Pingjia.Server.Tests.Pages;

/// <summary>The rest of the console: catalog (with an import), configuration, ratings, appeals, users and audit, each checked by axe.</summary>
[Collection(WebCollection.Name)]
public sealed class ConsolePagesTests(WebFixture fixture) : BrowserTests(fixture)
{
    [Fact]
    public async Task SystemAdmin_UsesEveryConsolePage_AllAccessible()
    {
        var s = await RatingScenario.CreateAsync(Web.Factory);
        var caseNo = await s.FinishedCaseAsync();
        await s.RateAsync(RatingScenario.Rating(caseNo, 4, ["413"], "不错"));
        var admin = "root" + Environment.TickCount64 % 100000;
        var password = await Web.UserAsync(admin, "system_admin");
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, admin, password);

        await page.GotoAsync("/console/catalog");
        var csv = "agency_credit_code,employee_no,name\n" + s.Agency + ",W77,新人员\n" + s.Agency + ",,缺工号\n";
        await page.GetByLabel("文件").SetInputFilesAsync(new FilePayload { Name = "staff.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv) });
        await page.GetByRole(AriaRole.Button, new() { Name = "导入" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("新增 1");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("第 3 行");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "新人员" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "console-catalog");

        var staffForm = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "新增人员" }) });
        await staffForm.GetByLabel("机构信用代码").FillAsync(s.Agency);
        await staffForm.GetByLabel("工号").FillAsync("W88");
        await staffForm.GetByLabel("姓名").FillAsync("表单人员");
        await staffForm.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "表单人员" })).ToBeVisibleAsync();

        await page.GotoAsync("/console/config?start=2026-09-30&days=10");
        // The page explains the same deadline as the calendar API (National Day week and its adjusted workdays counted there).
        var api = await Infrastructure.HttpAssert.Json(await s.Admin.GetAsync("/api/v1/calendar/deadline?start=2026-09-30T09:00:00%2B08:00&days=10"), 200);
        var due = api.GetProperty("dueUtc").GetDateTime().AddHours(8).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.GetByText("截止: " + due)).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);

        await page.GotoAsync($"/console/ratings?caseNo={caseNo}");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = caseNo });
        await Assertions.Expect(row).ToContainTextAsync("张*丰 138****1234");
        await Assertions.Expect(row).ToContainTextAsync("服务态度较好");
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "console-ratings");

        await page.GotoAsync("/console/appeals");
        await WebFixture.AssertAccessibleAsync(page);

        await page.GotoAsync("/console/users");
        var user = "made" + Environment.TickCount64 % 100000;
        await page.GetByLabel("用户名", new() { Exact = true }).FillAsync(user);
        await page.GetByLabel("姓名", new() { Exact = true }).FillAsync("新用户");
        await page.GetByLabel("初始密码（至少 10 位）").FillAsync("Another-pass-123");
        await page.GetByLabel("角色", new() { Exact = true }).SelectOptionAsync("AgencyManager");
        await page.GetByLabel("机构信用代码（机构角色）").FillAsync(s.Agency);
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByText("已保存。")).ToBeVisibleAsync();
        await page.GotoAsync($"/console/users?q={user}");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = user })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);

        await page.GotoAsync("/console/audit");
        await page.GetByRole(AriaRole.Button, new() { Name = "校验哈希链" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("哈希链完整");
        await WebFixture.AssertAccessibleAsync(page);

        // The console in English.
        await page.GotoAsync("/console?lang=en");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Work orders" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "console-dashboard-en");
    }
}
