using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>
/// The closing-the-loop acceptance flow in the browser: a rater's bad rating becomes a work order in the agency manager's
/// inbox, the manager records contact, verification and rectification, the supervisor approves, and the public list shows it handled.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ConsoleFlowTests(WebFixture fixture) : BrowserTests(fixture)
{
    private static int _users;

    private static string Name(string prefix) => $"{prefix}{Interlocked.Increment(ref _users):000}{Environment.TickCount64 % 10000:0000}";

    private async Task<string> BadRatingThroughThePageAsync(RatingScenario s)
    {
        var caseNo = await s.FinishedCaseAsync();
        var link = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{caseNo}/rating-links", new { channel = "qr_code" }), 201);
        var phone = await Web.NewPageAsync(phone: true);
        await phone.GotoAsync(link.GetProperty("url").GetString()!);
        await phone.GetByRole(AriaRole.Radio, new() { Name = "非常不满意", Exact = true }).CheckAsync();
        await phone.GetByRole(AriaRole.Checkbox, new() { Name = "服务态度差效率低" }).CheckAsync();
        await phone.GetByLabel("评价内容（选填）").FillAsync("窗口人员态度很差");
        await phone.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Assertions.Expect(phone.GetByText("感谢您的评价")).ToBeVisibleAsync();
        await phone.Context.CloseAsync();
        return caseNo;
    }

    private static async Task ActAsync(IPage page, string action, Func<ILocator, Task> fill)
    {
        var form = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = action, Exact = true }) });
        await fill(form);
        await form.GetByRole(AriaRole.Button, new() { Name = action, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("已保存。")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task BadRating_ManagerHandles_SupervisorApproves_PublicListShowsHandled()
    {
        var s = await RatingScenario.CreateAsync(Web.Factory);
        var manager = Name("mgr");
        var supervisor = Name("sup");
        var managerPassword = await Web.UserAsync(manager, "agency_manager", agency: s.Agency);
        var supervisorPassword = await Web.UserAsync(supervisor, "bureau_admin", region: s.District);
        var caseNo = await BadRatingThroughThePageAsync(s);
        string no;
        using (var db = Web.Factory.Db())
        {
            no = (await db.WorkOrders.SingleAsync(o => o.CaseNo == caseNo)).No;
        }

        // The order is in the agency manager's inbox at once, waiting for the supervisor to dispatch it.
        var m = await Web.NewPageAsync();
        await WebFixture.SignInAsync(m, manager, managerPassword);
        await m.GotoAsync("/console/work-orders");
        var row = m.GetByRole(AriaRole.Row).Filter(new() { HasText = no });
        await Assertions.Expect(row).ToContainTextAsync("待转办");
        await Assertions.Expect(row).ToContainTextAsync(caseNo);
        await WebFixture.AssertAccessibleAsync(m);
        await WebFixture.ScreenshotAsync(m, "console-inbox");

        var sup = await Web.NewPageAsync();
        await WebFixture.SignInAsync(sup, supervisor, supervisorPassword);
        await sup.GotoAsync($"/console/work-orders/{no}");
        await ActAsync(sup, "转办", f => f.GetByLabel("说明").FillAsync("请核实处理"));

        await m.GotoAsync($"/console/work-orders/{no}");
        await Assertions.Expect(m.GetByText("窗口人员态度很差")).ToBeVisibleAsync();
        await Assertions.Expect(m.GetByTestId("applicant")).ToContainTextAsync("张*丰 138****1234");
        await ActAsync(m, "回访", async f =>
        {
            await f.GetByLabel("回访方式").SelectOptionAsync("phone");
            await f.GetByLabel("回访情况").FillAsync("已电话联系评价人，致歉并了解情况");
        });
        await ActAsync(m, "核实", f => f.GetByLabel("核实结果").SelectOptionAsync("Founded"));
        await ActAsync(m, "整改", f => f.GetByLabel("整改措施").FillAsync("对窗口人员开展服务礼仪培训，纳入月度考核"));
        await Assertions.Expect(m.GetByText("已整改待审核")).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(m);
        await WebFixture.ScreenshotAsync(m, "console-work-order");
        // The unit has no supervisor steps.
        await Assertions.Expect(m.GetByRole(AriaRole.Button, new() { Name = "审核通过" })).ToHaveCountAsync(0);

        await sup.GotoAsync($"/console/work-orders/{no}");
        await ActAsync(sup, "审核通过", f => f.GetByLabel("说明").FillAsync("同意办结"));
        await Assertions.Expect(sup.GetByText("已办结").First).ToBeVisibleAsync();
        using (var db = Web.Factory.Db())
        {
            var order = await db.WorkOrders.SingleAsync(o => o.No == no);
            Assert.Equal(WorkOrderState.Closed, order.State);
            Assert.Equal(Verification.Founded, order.Verification);
            Assert.True(order.Rectified);
        }

        var dashboard = await Web.NewPageAsync();
        await WebFixture.SignInAsync(dashboard, supervisor, supervisorPassword);
        await Assertions.Expect(dashboard.GetByRole(AriaRole.Heading, new() { Name = "差评整改" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(dashboard);
        await WebFixture.ScreenshotAsync(dashboard, "console-dashboard");

        var pub = await Web.NewPageAsync();
        await pub.GotoAsync($"/public/handling?region={s.District}");
        var item = pub.GetByRole(AriaRole.Row).Filter(new() { HasText = caseNo[..3] + new string('*', caseNo.Length - 6) + caseNo[^3..] });
        await Assertions.Expect(item).ToContainTextAsync("已办结");
        await Assertions.Expect(item).ToContainTextAsync("已整改");
        await Assertions.Expect(item).ToContainTextAsync("服务态度差效率低");
        // Masked: neither the rater nor the comment is public.
        await Assertions.Expect(pub.GetByText("窗口人员态度很差")).ToHaveCountAsync(0);
        await Assertions.Expect(pub.GetByText("张三丰")).ToHaveCountAsync(0);
        await WebFixture.AssertAccessibleAsync(pub);
        await WebFixture.ScreenshotAsync(pub, "public-handling");

        await pub.GotoAsync($"/public?region={s.District}");
        var ranked = pub.GetByRole(AriaRole.Row).Filter(new() { HasText = "测试局" });
        await Assertions.Expect(ranked.First).ToContainTextAsync("样本不足");
        await WebFixture.AssertAccessibleAsync(pub);
        await WebFixture.ScreenshotAsync(pub, "public-rankings");
        await pub.GotoAsync($"/public/monthly?region={s.District}");
        await Assertions.Expect(pub.GetByRole(AriaRole.Heading, new() { Name = "月度数据" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(pub);
    }

    [Fact]
    public async Task DistrictAdmin_CannotOpenAnotherDistrictsPagesOrData()
    {
        var mine = await RatingScenario.CreateAsync(Web.Factory);
        var theirs = await RatingScenario.CreateAsync(Web.Factory);
        var theirCase = await theirs.FinishedCaseAsync();
        await HttpAssert.Json(await theirs.RateAsync(RatingScenario.Rating(theirCase, 1, ["115"], "别区的差评")), 201);
        string theirOrder;
        using (var db = Web.Factory.Db())
        {
            theirOrder = (await db.WorkOrders.SingleAsync(o => o.CaseNo == theirCase)).No;
        }

        var admin = Name("dist");
        var password = await Web.UserAsync(admin, "bureau_admin", region: mine.District);
        var page = await Web.NewPageAsync();
        await WebFixture.SignInAsync(page, admin, password);

        var response = await page.GotoAsync($"/console/work-orders/{theirOrder}");
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "404 · 出错了" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);
        await Assertions.Expect(page.GetByText("别区的差评")).ToHaveCountAsync(0);
        await page.GotoAsync("/console/work-orders");
        await Assertions.Expect(page.GetByText(theirOrder)).ToHaveCountAsync(0);
        // The session cookie carries the same scope into the API.
        var api = await page.APIRequest.GetAsync($"/api/v1/work-orders/{theirOrder}");
        Assert.Equal(404, api.Status);
        // Acting on it is refused without changing it.
        await page.GotoAsync("/console/work-orders");
        var token = await page.Locator("input[name=__csrf]").First.GetAttributeAsync("value");
        var post = await page.APIRequest.PostAsync($"/console/work-orders/{theirOrder}?handler=act", new()
        {
            Form = page.APIRequest.CreateFormData().Set("__csrf", token ?? "").Set("action", "dispatch"),
        });
        Assert.Equal(404, post.Status);
        using (var db = Web.Factory.Db())
        {
            Assert.Equal(WorkOrderState.Created, (await db.WorkOrders.SingleAsync(o => o.No == theirOrder)).State);
        }
    }

    [Fact]
    public async Task SignIn_WrongPasswordLocksOut_FormsNeedTheirToken_SignOutEndsSession()
    {
        var user = Name("lock");
        var password = await Web.UserAsync(user, "auditor");
        var page = await Web.NewPageAsync();
        var response = await page.GotoAsync("/console/work-orders");
        Assert.EndsWith("/console/sign-in?returnUrl=%2Fconsole%2Fwork-orders", page.Url, StringComparison.Ordinal);
        Assert.Equal(200, response!.Status);
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "console-sign-in");

        // A post without the antiforgery token is refused before anything is checked.
        var forged = await page.APIRequest.PostAsync("/console/sign-in", new()
        {
            Form = page.APIRequest.CreateFormData().Set("UserName", user).Set("Password", password),
        });
        Assert.Equal(400, forged.Status);

        for (var i = 0; i < 5; i++)
        {
            await page.GetByLabel("用户名").FillAsync(user);
            await page.GetByLabel("密码").FillAsync("wrong-password-" + i);
            await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }

        await page.GetByLabel("用户名").FillAsync(user);
        await page.GetByLabel("密码").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("账号已临时锁定");

        Web.Factory.Clock.Advance(TimeSpan.FromMinutes(16));
        await page.GetByLabel("用户名").FillAsync(user);
        await page.GetByLabel("密码").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.WaitForURLAsync("**/console/work-orders");
        await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        await page.WaitForURLAsync("**/console/sign-in");
        await page.GotoAsync("/console");
        Assert.Contains("/console/sign-in", page.Url, StringComparison.Ordinal);
    }
}
