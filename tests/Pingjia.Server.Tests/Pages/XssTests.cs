using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>
/// Every text a person can type is HTML-encoded wherever a page shows it: markup is submitted in each text field (and in
/// catalog names, which pages show too), then every page that shows it is checked for the literal text and for inertness.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class XssTests(WebFixture fixture) : BrowserTests(fixture)
{
    private const string Payload = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">";

    /// <summary>Catalog names are short (staff names at most 50 characters).</summary>
    private const string NamePayload = "<script>window.__xss=1</script>";

    private static async Task AssertInertAsync(IPage page, int expectedShown)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), $"{page.Url}: injected script ran");
        Assert.Equal(0, await page.Locator("img[src=x]").CountAsync());
        // Our one script file is the only script element; no inline script came from the data.
        Assert.Equal(0, await page.Locator("script:not([src])").CountAsync());
        var shown = await page.GetByText("<script>window.__xss=1</script>", new() { Exact = false }).CountAsync();
        Assert.True(shown >= expectedShown, $"{page.Url}: the payload should be shown as text {expectedShown}+ times, was {shown}");
    }

    [Fact]
    public async Task Markup_InEveryTextField_IsShownAsTextAndNeverRuns()
    {
        var admin = Web.Api();
        var (_, district) = await Web.Factory.NewDistrictAsync(admin);
        var agency = Web.Factory.NextCreditCode(district);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = agency, name = "局" + NamePayload, kind = "department", regionCode = district }));
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = "X1", name = "员" + NamePayload }));
        var item = "XSS-" + agency[^8..];
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/items",
            new { itemCode = item, name = "事项" + NamePayload, itemType = "01", legalLimitDays = 20, promisedLimitDays = 5, issuesCertificate = false, agencyCreditCode = agency }));
        var caseNo = RatingScenario.NewCaseNo();
        var now = Web.Factory.Clock.GetUtcNow();
        await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/cases/{caseNo}", new
        {
            itemCode = item, agencyCreditCode = agency, staffEmployeeNo = "X1", serviceChannel = "window", status = "approved",
            applicant = new { type = "1", name = "李四", idType = "111", idNumber = "44030419900101123X", mobile = "13900001111" },
            acceptedAt = now.AddHours(-1), decidedAt = now,
        }), 200);
        var link = (await HttpAssert.Json(await admin.PostAsJsonAsync($"/api/v1/cases/{caseNo}/rating-links", new { channel = "sms" }), 201)).GetProperty("url").GetString()!;

        var rater = await Web.NewPageAsync(phone: true);
        await rater.GotoAsync(link);
        await AssertInertAsync(rater, 3); // item, agency and staff names
        await rater.GetByRole(AriaRole.Radio, new() { Name = "不满意", Exact = true }).CheckAsync();
        await rater.GetByLabel("评价内容（选填）").FillAsync(Payload);
        await rater.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Assertions.Expect(rater.GetByText("感谢您的评价")).ToBeVisibleAsync();
        await rater.GetByLabel("追加评价（评价期限内可追加一次）").FillAsync("追评" + Payload);
        await rater.GetByRole(AriaRole.Button, new() { Name = "提交追加评价" }).ClickAsync();
        await Assertions.Expect(rater.GetByText("追评<script>", new() { Exact = false })).ToBeVisibleAsync();
        await AssertInertAsync(rater, 5);

        string no;
        using (var db = Web.Factory.Db())
        {
            no = (await db.WorkOrders.SingleAsync(o => o.CaseNo == caseNo)).No;
        }

        var sup = "xsssup" + Environment.TickCount64 % 100000;
        var mgr = "xssmgr" + Environment.TickCount64 % 100000;
        var supPassword = await Web.UserAsync(sup, "bureau_admin", region: district);
        var mgrPassword = await Web.UserAsync(mgr, "agency_manager", agency: agency);
        var s = await Web.NewPageAsync();
        await WebFixture.SignInAsync(s, sup, supPassword);
        var m = await Web.NewPageAsync();
        await WebFixture.SignInAsync(m, mgr, mgrPassword);

        async Task Act(IPage page, string action, Func<ILocator, Task> fill)
        {
            await page.GotoAsync($"/console/work-orders/{no}");
            var form = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = action, Exact = true }) });
            await fill(form);
            await form.GetByRole(AriaRole.Button, new() { Name = action, Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByText("已保存。")).ToBeVisibleAsync();
        }

        await Act(s, "转办", f => f.GetByLabel("说明").FillAsync(Payload));
        await Act(m, "回访", f => f.GetByLabel("回访情况").FillAsync(Payload));
        await Act(m, "申请延期", async f =>
        {
            await f.GetByLabel("延长工作日").FillAsync("3");
            await f.GetByLabel("原因").FillAsync(Payload);
        });
        await Act(s, "审批延期", f => f.GetByLabel("说明").FillAsync(Payload));
        await Act(m, "核实", async f =>
        {
            await f.GetByLabel("核实结果").SelectOptionAsync("Founded");
            await f.GetByLabel("说明").FillAsync(Payload);
        });
        await Act(m, "整改", async f =>
        {
            await f.GetByLabel("整改措施").FillAsync(Payload);
            await f.GetByLabel("佐证材料（文件名或编号，逗号分隔）").FillAsync("a" + Payload);
        });
        await Act(s, "退回", f => f.GetByLabel("退回原因").FillAsync(Payload));
        await Act(m, "解释说明", f => f.GetByLabel("解释说明").FillAsync(Payload));
        await Act(s, "审核通过", f => f.GetByLabel("说明").FillAsync(Payload));
        await s.GotoAsync($"/console/work-orders/{no}");
        await AssertInertAsync(s, 12);
        await WebFixture.AssertAccessibleAsync(s);

        // Appeals: the unit's reason and the supervisor's note.
        Guid ratingId;
        using (var db = Web.Factory.Db())
        {
            ratingId = (await db.Ratings.SingleAsync(r => r.CaseNo == caseNo)).Id;
        }

        await m.GotoAsync($"/console/appeals?rating={ratingId}");
        await m.GetByLabel("事实与依据").FillAsync(Payload);
        await m.GetByRole(AriaRole.Button, new() { Name = "提交申诉" }).ClickAsync();
        await Assertions.Expect(m.GetByText("已保存。")).ToBeVisibleAsync();
        await s.GotoAsync("/console/appeals");
        await s.GetByLabel("说明").FillAsync(Payload);
        await s.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Assertions.Expect(s.GetByText("申诉成立").First).ToBeVisibleAsync();
        await AssertInertAsync(s, 2);
        await WebFixture.AssertAccessibleAsync(s);

        foreach (var path in new[] { "/console", "/console/work-orders", "/console/ratings" })
        {
            await s.GotoAsync(path);
            await AssertInertAsync(s, 1);
        }

        var pub = await Web.NewPageAsync();
        foreach (var path in new[] { $"/public?region={district}", $"/public/handling?region={district}" })
        {
            await pub.GotoAsync(path);
            await AssertInertAsync(pub, 1);
        }

        // The reason typed on a failed sign-in is shown back as text too.
        await pub.GotoAsync("/console/sign-in");
        await pub.GetByLabel("用户名").FillAsync(Payload);
        await pub.GetByLabel("密码").FillAsync("x");
        await pub.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Assertions.Expect(pub.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.True(await pub.EvaluateAsync<bool>("() => window.__xss === undefined"));
    }
}
