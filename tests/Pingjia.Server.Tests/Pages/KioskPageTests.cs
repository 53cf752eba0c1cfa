using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>The hall rating device /kiosk/{windowId}: idle, then the case finished at the window, then idle again.</summary>
[Collection(WebCollection.Name)]
public sealed class KioskPageTests(WebFixture fixture) : BrowserTests(fixture)
{
    [Fact]
    public async Task Kiosk_ShowsFinishedCase_TakesRating_ReturnsToIdle()
    {
        var s = await RatingScenario.CreateAsync(Web.Factory);
        var hall = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/agencies/{s.Agency}/halls", new { name = "政务服务大厅" }));
        var window = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync(
            $"/api/v1/halls/{hall.GetProperty("id").GetGuid()}/windows", new { number = "A08", name = "综合受理" }));
        var windowId = window.GetProperty("id").GetGuid();

        var page = await Web.NewPageAsync();
        await page.SetViewportSizeAsync(1024, 768);
        await page.GotoAsync($"/kiosk/{windowId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "请对本窗口的服务进行评价" })).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);

        // The window finishes a case: the idle device notices by itself and shows it.
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.Admin.PutAsJsonAsync($"/api/v1/windows/{windowId}/current-case", new { caseNo }), 200);
        await Assertions.Expect(page.GetByText(caseNo)).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByText("窗口员（工号 W01）")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("社保查询")).ToBeVisibleAsync();
        await WebFixture.AssertAccessibleAsync(page);
        await WebFixture.ScreenshotAsync(page, "kiosk-case");

        await page.GetByRole(AriaRole.Radio, new() { Name = "非常满意", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "服务热情效率高" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Assertions.Expect(page.GetByText("感谢您的评价")).ToBeVisibleAsync();
        using (var db = Web.Factory.Db())
        {
            var rating = await db.Ratings.SingleAsync(r => r.CaseNo == caseNo);
            Assert.Equal(Pingjia.Domain.Ratings.RatingChannel.HallDevice, rating.Channel);
            Assert.Equal(5, rating.Level);
        }

        // Back to idle by itself; the rated case is not offered again.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "请对本窗口的服务进行评价" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByText(caseNo)).ToHaveCountAsync(0);

        // A case of another agency cannot be put on this window's device.
        var other = await RatingScenario.CreateAsync(Web.Factory);
        var otherCase = await other.FinishedCaseAsync();
        await HttpAssert.Problem(await s.Admin.PutAsJsonAsync($"/api/v1/windows/{windowId}/current-case", new { caseNo = otherCase }), 409, "case_of_other_agency");
        Assert.Equal(404, (await page.GotoAsync($"/kiosk/{Guid.NewGuid()}"))!.Status);
    }
}
