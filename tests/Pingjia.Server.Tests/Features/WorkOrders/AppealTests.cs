using System.Net.Http.Json;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.WorkOrders;

public sealed class AppealTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private string Today => DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime.AddHours(8)).ToString("yyyy-MM-dd");

    private async Task<(RatingScenario S, HttpClient Manager, HttpClient Bureau)> SetupAsync()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var manager = factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "m", role = "agency_manager", agencyCreditCode = s.Agency }))).GetProperty("key").GetString());
        var bureau = factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "b", role = "bureau_admin", regionCode = s.District }))).GetProperty("key").GetString());
        return (s, manager, bureau);
    }

    private static async Task<Guid> BadRatingAsync(RatingScenario s, string? caseNo = null)
    {
        caseNo ??= await s.FinishedCaseAsync();
        var r = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 1, text: "故意刁难")), 201);
        return r.GetProperty("rating").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task UpheldAppeal_RemovesRatingFromEveryRateAndKeepsItVisibleWithReason()
    {
        var (s, manager, bureau) = await SetupAsync();
        var ratingId = await BadRatingAsync(s);
        var before = (await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&agency={s.Agency}"), 200)).GetProperty("total");
        await HttpAssert.Problem(await bureau.PostAsJsonAsync($"/api/v1/ratings/{ratingId}/appeals", new { subject = "staff", grounds = "malicious", reason = "x" }), 403, "forbidden");
        var appeal = await PingjiaFactory.EnsureCreated(await manager.PostAsJsonAsync($"/api/v1/ratings/{ratingId}/appeals",
            new { subject = "staff", grounds = "malicious", reason = "评价人与窗口人员发生私人纠纷，录音为证", evidence = new[] { "录音-0312.mp3" } }));
        var id = appeal.GetProperty("id").GetGuid();
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/ratings/{ratingId}/appeals", new { subject = "staff", grounds = "untrue", reason = "again" }), 409, "duplicate_appeal");
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/appeals/{id}/decide", new { uphold = true, note = "x" }), 403, "forbidden");
        var decided = await HttpAssert.Json(await bureau.PostAsJsonAsync($"/api/v1/appeals/{id}/decide", new { uphold = true, note = "经核实，评价不属实" }), 200);
        Assert.Equal("upheld", decided.GetProperty("state").GetString());
        await HttpAssert.Problem(await bureau.PostAsJsonAsync($"/api/v1/appeals/{id}/decide", new { uphold = false, note = "again" }), 409, "appeal_decided");

        var rating = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/ratings/{ratingId}"), 200);
        Assert.True(rating.GetProperty("excluded").GetBoolean());
        Assert.Contains("经核实，评价不属实", rating.GetProperty("excludedReason").GetString(), StringComparison.Ordinal);
        var after = (await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&agency={s.Agency}"), 200)).GetProperty("total");
        Assert.Equal(before.GetProperty("ratings").GetInt64() - 1, after.GetProperty("ratings").GetInt64());
        Assert.Equal(before.GetProperty("excludedRatings").GetInt64() + 1, after.GetProperty("excludedRatings").GetInt64());
        foreach (var figure in new[] { "badRate", "goodRate", "satisfactionRate", "averageLevel", "activeGoodRate" })
        {
            Assert.Equal(before.GetProperty(figure).GetProperty("denominator").GetInt64() - 1, after.GetProperty(figure).GetProperty("denominator").GetInt64());
        }

        Assert.Equal(before.GetProperty("badRate").GetProperty("numerator").GetInt64() - 1, after.GetProperty("badRate").GetProperty("numerator").GetInt64());
    }

    [Fact]
    public async Task Appeal_OfItemOrProcessRating_IsRefused()
    {
        var (s, manager, _) = await SetupAsync();
        var ratingId = await BadRatingAsync(s);
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/ratings/{ratingId}/appeals", new { subject = "item", grounds = "untrue", reason = "事项本身" }), 400, "not_appealable");

        // An online case handled by no one in particular: its rating is of the platform, not of staff.
        var online = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(online, new { itemCode = s.Item, agencyCreditCode = s.Agency, serviceChannel = "online", status = "approved", applicant = new { type = "1" }, decidedAt = s.Now });
        var platformRating = await BadRatingAsync(s, online);
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/ratings/{platformRating}/appeals", new { subject = "staff", grounds = "untrue", reason = "x" }), 400, "not_appealable");
    }

    [Fact]
    public async Task Appeal_AfterTheWorkingDayLimit_IsRefused()
    {
        var (s, manager, _) = await SetupAsync();
        var ratingId = await BadRatingAsync(s);
        // Ten days are more than 5 working days from any weekday: a rating on a Sunday counts from Monday.
        factory.Clock.Advance(TimeSpan.FromDays(10));
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/ratings/{ratingId}/appeals", new { subject = "staff", grounds = "untrue", reason = "x" }), 409, "appeal_period_over");
    }

    [Fact]
    public async Task HandlingFigures_CountRepliesRectificationSatisfactionAndOnTime()
    {
        var (s, _, bureau) = await SetupAsync();
        var agency = await factory.NewAgencyAsync(s.District, s.Admin);
        var item = "HF-" + agency[^8..];
        await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/items",
            new { itemCode = item, name = "事项", itemType = "20", legalLimitDays = 5, promisedLimitDays = 1, issuesCertificate = false, agencyCreditCode = agency }));
        var mgr = factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "m2", role = "agency_manager", agencyCreditCode = agency }))).GetProperty("key").GetString());
        var nos = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var c = RatingScenario.NewCaseNo();
            await s.PutCaseAsync(c, new { itemCode = item, agencyCreditCode = agency, serviceChannel = "window", status = "approved", applicant = new { type = "1" }, decidedAt = s.Now });
            await BadRatingAsync(s, c);
            nos.Add(c);
        }

        var orders = await HttpAssert.Json(await mgr.GetAsync("/api/v1/work-orders"), 200);
        var no = orders.GetProperty("items").EnumerateArray().First().GetProperty("no").GetString()!;
        foreach (var (client, action, body) in new (HttpClient, string, object)[]
        {
            (bureau, "dispatch", new { }), (mgr, "contact", new { method = "phone", summary = "联系" }), (mgr, "verify", new { outcome = "founded" }),
            (mgr, "rectify", new { measures = "整改" }), (bureau, "approve", new { }), (bureau, "record-satisfaction", new { satisfaction = "basically_satisfied" }),
        })
        {
            await HttpAssert.Json(await client.PostAsJsonAsync($"/api/v1/work-orders/{no}/{action}", body), 200);
        }

        var handling = (await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&agency={agency}"), 200)).GetProperty("handling");
        Assert.Equal((1, 2), (handling.GetProperty("replyRate").GetProperty("numerator").GetInt64(), handling.GetProperty("replyRate").GetProperty("denominator").GetInt64()));
        Assert.Equal((1, 1), (handling.GetProperty("rectificationRate").GetProperty("numerator").GetInt64(), handling.GetProperty("rectificationRate").GetProperty("denominator").GetInt64()));
        Assert.Equal((1, 1), (handling.GetProperty("rectificationSatisfaction").GetProperty("numerator").GetInt64(), handling.GetProperty("rectificationSatisfaction").GetProperty("denominator").GetInt64()));
        Assert.Equal((1, 1), (handling.GetProperty("onTimeRate").GetProperty("numerator").GetInt64(), handling.GetProperty("onTimeRate").GetProperty("denominator").GetInt64()));
        Assert.Equal(0, handling.GetProperty("overdueCount").GetInt64());
    }
}
