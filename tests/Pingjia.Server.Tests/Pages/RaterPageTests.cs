using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>The rater's page /r/{token} in chromium on a phone-sized screen.</summary>
[Collection(WebCollection.Name)]
public sealed class RaterPageTests(WebFixture fixture) : BrowserTests(fixture)
{
    private async Task<(RatingScenario S, string CaseNo, string Url)> LinkAsync()
    {
        var s = await RatingScenario.CreateAsync(Web.Factory);
        var caseNo = await s.FinishedCaseAsync();
        var link = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{caseNo}/rating-links", new { channel = "qr_code" }), 201);
        return (s, caseNo, link.GetProperty("url").GetString()!);
    }

    [Fact]
    public async Task Phone_BadRatingWithTagAndComment_ShowsConfirmationAndMakesWorkOrder()
    {
        var (_, caseNo, url) = await LinkAsync();
        var page = await Web.NewPageAsync(phone: true);
        var response = await page.GotoAsync(url);
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "办件评价" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(caseNo)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("窗口员（工号 W01）")).ToBeVisibleAsync();
        // Nothing wider than the phone: no sideways scrolling.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 360"));
        // Touch targets of the levels are large.
        var box = await page.Locator("label[for=level-1] span").First.BoundingBoxAsync();
        Assert.True(box!.Height >= 44, $"level button is {box.Height}px high");
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "rater-form-phone");

        await page.GetByRole(AriaRole.Radio, new() { Name = "非常不满意", Exact = true }).CheckAsync();
        // Only tags of the chosen level are offered now.
        await Assertions.Expect(page.GetByText("无理由超过法定办理时间")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("服务热情效率高")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "无理由超过法定办理时间" }).CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "服务态度" }).GetByRole(AriaRole.Radio, new() { Name = "1 非常不满意" }).CheckAsync();
        await page.GetByLabel("评价内容（选填）").FillAsync("等了两个小时还没办完");
        await Assertions.Expect(page.GetByText("已输入 10/500 字")).ToBeVisibleAsync();
        await page.Locator("#level-1").ScrollIntoViewIfNeededAsync();
        await WebFixture.ScreenshotAsync(page, "rater-bad-rating-phone", fullPage: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();

        await Assertions.Expect(page.GetByText("感谢您的评价")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("差评已转为工单，由办理单位核实整改。")).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "rater-confirmation-phone", fullPage: false);

        using (var db = Web.Factory.Db())
        {
            var rating = await db.Ratings.SingleAsync(r => r.CaseNo == caseNo);
            Assert.Equal(1, rating.Level);
            Assert.Equal("110", rating.Tags);
            Assert.Equal("等了两个小时还没办完", rating.Text);
            Assert.Equal(1, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(rating.Indicators)!["服务态度"]);
            Assert.Equal(Pingjia.Domain.Ratings.RatingChannel.QrCode, rating.Channel);
            Assert.True(await db.WorkOrders.AnyAsync(o => o.RatingId == rating.Id));
        }

        // The link, used: the rating is shown, and a follow-up can be added once.
        await page.GotoAsync(url);
        await Assertions.Expect(page.GetByText("您已评价过该办件。")).ToBeVisibleAsync();
        await page.GetByLabel("追加评价（评价期限内可追加一次）").FillAsync("后来工作人员主动联系了我");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交追加评价" }).ClickAsync();
        await Assertions.Expect(page.GetByText("后来工作人员主动联系了我")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "提交追加评价" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Phone_BadRatingWithoutReason_ShowsRuleAndKeepsChoice()
    {
        var (_, caseNo, url) = await LinkAsync();
        var page = await Web.NewPageAsync(phone: true);
        await page.GotoAsync(url);
        await page.GetByRole(AriaRole.Radio, new() { Name = "不满意", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("差评请至少选择一个标签或填写评价内容。");
        Assert.True(await page.Locator("#level-2").IsCheckedAsync());
        using var db = Web.Factory.Db();
        Assert.False(await db.Ratings.AnyAsync(r => r.CaseNo == caseNo));
    }

    [Fact]
    public async Task English_ByQueryAndByBrowser_ShowsLevelsInEnglish()
    {
        var (_, _, url) = await LinkAsync();
        var page = await Web.NewPageAsync(phone: true);
        await page.GotoAsync(url + "?lang=en");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rate your case" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Very dissatisfied", Exact = true })).ToBeVisibleAsync();
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "rater-form-phone-en");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Very satisfied", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Warm and efficient service" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit rating" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Thank you for your rating")).ToBeVisibleAsync();

        var browserEnglish = await Web.NewPageAsync(phone: true, locale: "en-US");
        var (_, _, other) = await LinkAsync();
        await browserEnglish.GotoAsync(other);
        await Assertions.Expect(browserEnglish.GetByRole(AriaRole.Button, new() { Name = "Submit rating" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task BadLinks_ForgedAndExpired_ShowClearPagesWithoutForm()
    {
        var (s, _, url) = await LinkAsync();
        var page = await Web.NewPageAsync(phone: true);
        var forged = url[..^3] + (url.EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA");
        var response = await page.GotoAsync(forged);
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "评价链接无效" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("form.rate")).ToHaveCountAsync(0);
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "rater-forged-link");

        response = await page.GotoAsync("/r/not-a-token");
        Assert.Equal(403, response!.Status);

        // Past the 7-day window the link has expired (the shared clock only ever moves forward).
        s.Factory.Clock.Advance(TimeSpan.FromDays(8));
        response = await page.GotoAsync(url);
        Assert.Equal(410, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "评价链接已过期" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("form.rate")).ToHaveCountAsync(0);
    }
}
