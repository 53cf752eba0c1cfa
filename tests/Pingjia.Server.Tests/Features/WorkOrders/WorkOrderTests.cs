using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.WorkOrders;

public sealed class WorkOrderFlowTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private async Task<(RatingScenario S, HttpClient Manager, HttpClient Bureau, string No)> BadRatingAsync()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var manager = factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "m", role = "agency_manager", agencyCreditCode = s.Agency }))).GetProperty("key").GetString());
        var bureau = factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "b", role = "bureau_admin", regionCode = s.District }))).GetProperty("key").GetString());
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 1, ["110"], "超时很久")), 201);
        var list = await HttpAssert.Json(await manager.GetAsync("/api/v1/work-orders"), 200);
        var order = Assert.Single(list.GetProperty("items").EnumerateArray(), o => o.GetProperty("caseNo").GetString() == caseNo);
        return (s, manager, bureau, order.GetProperty("no").GetString()!);
    }

    private static Task<HttpResponseMessage> Act(HttpClient client, string no, string action, object body) =>
        client.PostAsJsonAsync($"/api/v1/work-orders/{no}/{action}", body);

    [Fact]
    public async Task BadRating_CreatesOneWorkOrderWithCalendarDeadlines_GoodRatingNone()
    {
        var (s, manager, _, no) = await BadRatingAsync();
        var order = await HttpAssert.Json(await manager.GetAsync($"/api/v1/work-orders/{no}"), 200);
        Assert.Equal("created", order.GetProperty("state").GetString());
        Assert.Equal(s.Agency, order.GetProperty("agencyCreditCode").GetString());
        var created = order.GetProperty("createdAt").GetDateTime();
        using var scope = factory.Services.CreateScope();
        var calendar = await scope.ServiceProvider.GetRequiredService<CalendarStore>().GetAsync(scope.ServiceProvider.GetRequiredService<Pingjia.Data.PingjiaDbContext>(), CancellationToken.None);
        Assert.Equal(calendar.AddWorkingDays(created, 1).DueUtc, order.GetProperty("contactDueAt").GetDateTime());
        Assert.Equal(calendar.AddWorkingDays(created, 10).DueUtc, order.GetProperty("replyDueAt").GetDateTime());

        var good = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(good, 5)), 201);
        using var db = factory.Db();
        Assert.False(await db.WorkOrders.AnyAsync(o => o.CaseNo == good));
        var notes = await HttpAssert.Json(await manager.GetAsync("/api/v1/notifications?audience=unit"), 200);
        Assert.Contains(notes.GetProperty("items").EnumerateArray(), n => n.GetProperty("workOrderNo").GetString() == no && n.GetProperty("kind").GetString() == "created");
    }

    [Fact]
    public async Task FullFlow_ByTheRightRoles_ClosesOnTimeAndDissatisfactionReopensOnce()
    {
        var (_, manager, bureau, no) = await BadRatingAsync();
        await HttpAssert.Problem(await Act(manager, no, "contact", new { method = "phone", summary = "x" }), 409, "illegal_transition");
        await HttpAssert.Problem(await Act(manager, no, "dispatch", new { }), 403, "forbidden");
        await HttpAssert.Json(await Act(bureau, no, "dispatch", new { note = "请核实" }), 200);
        await HttpAssert.Problem(await Act(bureau, no, "contact", new { method = "phone", summary = "x" }), 403, "forbidden");
        await HttpAssert.Problem(await Act(manager, no, "contact", new { method = "pigeon", summary = "" }), 400, "validation_failed");
        await HttpAssert.Json(await Act(manager, no, "contact", new { method = "phone", summary = "已电话联系评价人，了解情况" }), 200);
        await HttpAssert.Json(await Act(manager, no, "verify", new { outcome = "founded", note = "确实超期" }), 200);
        await HttpAssert.Json(await Act(manager, no, "rectify", new { measures = "增加窗口人手，限时办结", evidence = new[] { "整改通知.pdf" } }), 200);
        await HttpAssert.Problem(await Act(manager, no, "approve", new { }), 403, "forbidden");
        await HttpAssert.Json(await Act(bureau, no, "send-back", new { reason = "整改措施不具体" }), 200);
        await HttpAssert.Json(await Act(manager, no, "rectify", new { measures = "窗口增加2人，每日通报超期件" }), 200);
        var closed = await HttpAssert.Json(await Act(bureau, no, "approve", new { note = "同意办结" }), 200);
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        Assert.True(closed.GetProperty("closedOnTime").GetBoolean());

        var reopened = await HttpAssert.Json(await Act(bureau, no, "record-satisfaction", new { satisfaction = "dissatisfied" }), 200);
        Assert.Equal("dispatched", reopened.GetProperty("state").GetString());
        Assert.Equal(2, reopened.GetProperty("round").GetInt32());
        await HttpAssert.Json(await Act(manager, no, "contact", new { method = "visit", summary = "上门回访" }), 200);
        await HttpAssert.Json(await Act(manager, no, "verify", new { outcome = "unfounded" }), 200);
        await HttpAssert.Problem(await Act(manager, no, "rectify", new { measures = "x" }), 409, "illegal_transition");
        await HttpAssert.Json(await Act(manager, no, "explain", new { explanation = "依法依规办理，已向评价人解释说明" }), 200);
        await HttpAssert.Json(await Act(bureau, no, "approve", new { }), 200);
        var final = await HttpAssert.Json(await Act(bureau, no, "record-satisfaction", new { satisfaction = "dissatisfied" }), 200);
        Assert.Equal("closed", final.GetProperty("state").GetString()); // only one reopening
        Assert.True(final.GetProperty("events").GetArrayLength() >= 14);
    }

    [Fact]
    public async Task Actions_OutsideScope_Return404()
    {
        var (_, _, _, no) = await BadRatingAsync();
        var other = await RatingScenario.CreateAsync(factory);
        var outsider = factory.Client((await PingjiaFactory.EnsureCreated(await other.Admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "o", role = "bureau_admin", regionCode = other.District }))).GetProperty("key").GetString());
        await HttpAssert.Problem(await outsider.GetAsync($"/api/v1/work-orders/{no}"), 404, "not_found");
        await HttpAssert.Problem(await Act(outsider, no, "dispatch", new { }), 404, "not_found");
        var list = await HttpAssert.Json(await outsider.GetAsync("/api/v1/work-orders"), 200);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), o => o.GetProperty("no").GetString() == no);
    }

    [Fact]
    public async Task Extension_Approved_MovesReplyDeadlineByWorkingDays()
    {
        var (_, manager, bureau, no) = await BadRatingAsync();
        await HttpAssert.Json(await Act(bureau, no, "dispatch", new { }), 200);
        var before = (await HttpAssert.Json(await manager.GetAsync($"/api/v1/work-orders/{no}"), 200)).GetProperty("replyDueAt").GetDateTime();
        await HttpAssert.Problem(await Act(bureau, no, "decide-extension", new { approve = true }), 409, "no_pending_request");
        await HttpAssert.Json(await Act(manager, no, "request-extension", new { workingDays = 5, reason = "需跨部门核实" }), 200);
        var after = await HttpAssert.Json(await Act(bureau, no, "decide-extension", new { approve = true }), 200);
        using var scope = factory.Services.CreateScope();
        var calendar = await scope.ServiceProvider.GetRequiredService<CalendarStore>().GetAsync(scope.ServiceProvider.GetRequiredService<Pingjia.Data.PingjiaDbContext>(), CancellationToken.None);
        Assert.Equal(calendar.AddWorkingDays(before, 5).DueUtc, after.GetProperty("replyDueAt").GetDateTime());
        Assert.Equal(5, after.GetProperty("extendedDays").GetInt32());
    }

    [Fact]
    public async Task Reroute_Approved_MovesTheOrderToTheOtherUnit()
    {
        var (s, manager, bureau, no) = await BadRatingAsync();
        var target = await factory.NewAgencyAsync(s.District, s.Admin);
        await HttpAssert.Json(await Act(bureau, no, "dispatch", new { }), 200);
        await HttpAssert.Json(await Act(manager, no, "request-reroute", new { targetAgencyCreditCode = target, reason = "非本单位事项" }), 200);
        var moved = await HttpAssert.Json(await Act(bureau, no, "decide-reroute", new { approve = true }), 200);
        Assert.Equal(target, moved.GetProperty("agencyCreditCode").GetString());
        await HttpAssert.Problem(await manager.GetAsync($"/api/v1/work-orders/{no}"), 404, "not_found");
    }
}

public sealed class WorkOrderDeadlineTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    /// <summary>These tests move the clock by weeks; an administrator has entered 2027 (an assumed calendar, for the test only).</summary>
    private async Task<RatingScenario> ScenarioWith2027Async()
    {
        var s = await RatingScenario.CreateAsync(factory);
        await HttpAssert.Json(await s.Admin.PutAsJsonAsync("/api/v1/calendar/years/2027", new
        {
            source = "test: assumed 2027 calendar",
            off = new[] { new { name = "元旦", from = "2027-01-01", to = "2027-01-01" } },
            workdays = Array.Empty<string>(),
        }), 200);
        return s;
    }

    [Fact]
    public async Task DeadlineJob_WarningOverdueEscalation_EachExactlyOnceAcrossRestart()
    {
        var s = await ScenarioWith2027Async();
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 2, ["209"])), 201);
        using var db = factory.Db();
        var order = await db.WorkOrders.AsNoTracking().SingleAsync(o => o.CaseNo == caseNo);
        var jobs = factory.Services.GetRequiredService<WorkOrderJobs>();

        // Just before 80% of the reply time: nothing yet.
        var warnAt = order.CreatedAt + ((order.ReplyDueAt!.Value - order.CreatedAt) * 0.8);
        factory.Clock.Advance(warnAt - factory.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromMinutes(1));
        await jobs.RunOnceAsync(CancellationToken.None);
        Assert.Null((await db.WorkOrders.AsNoTracking().SingleAsync(o => o.Id == order.Id)).WarnedAt);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await jobs.RunOnceAsync(CancellationToken.None);
        var restarted = ActivatorUtilities.CreateInstance<WorkOrderJobs>(factory.Services); // a new instance, as after a restart
        await restarted.RunOnceAsync(CancellationToken.None);
        factory.Clock.Advance(order.ReplyDueAt.Value - factory.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(1));
        await Task.WhenAll(jobs.RunOnceAsync(CancellationToken.None), restarted.RunOnceAsync(CancellationToken.None));
        await restarted.RunOnceAsync(CancellationToken.None);

        var events = await db.WorkOrderEvents.AsNoTracking().Where(e => e.WorkOrderId == order.Id).Select(e => e.Action).ToListAsync();
        Assert.Equal(1, events.Count(e => e == "warning"));
        Assert.Equal(1, events.Count(e => e == "overdue"));
        Assert.Equal(1, events.Count(e => e == "escalated"));
        var notes = await db.Notifications.AsNoTracking().Where(n => n.WorkOrderId == order.Id).Select(n => n.Audience + ":" + n.Kind).ToListAsync();
        Assert.Contains("supervisor:escalated", notes);
        Assert.Single(notes, n => n == "unit:overdue");
    }

    [Fact]
    public async Task DeadlineJob_NeverTouchesClosedOrders()
    {
        var s = await ScenarioWith2027Async();
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 1, text: "很差")), 201);
        string no;
        using (var db = factory.Db())
        {
            no = (await db.WorkOrders.SingleAsync(o => o.CaseNo == caseNo)).No;
        }

        foreach (var (action, body) in new (string, object)[]
        {
            ("dispatch", new { }), ("contact", new { method = "phone", summary = "已联系" }), ("verify", new { outcome = "malicious" }),
            ("explain", new { explanation = "恶意差评" }), ("approve", new { }),
        })
        {
            await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/work-orders/{no}/{action}", body), 200);
        }

        factory.Clock.Advance(TimeSpan.FromDays(40));
        await factory.Services.GetRequiredService<WorkOrderJobs>().RunOnceAsync(CancellationToken.None);
        using var after = factory.Db();
        var order = await after.WorkOrders.AsNoTracking().SingleAsync(o => o.No == no);
        Assert.Null(order.WarnedAt);
        Assert.Null(order.OverdueAt);
    }
}

public sealed class WorkOrderVolumeTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("PINGJIA_TEST_WORK_ORDER_RATINGS"), out var n) ? n : 10_000;

    [Fact]
    public async Task MixedSubmissions_EveryBadRatingHasExactlyOneWorkOrderAndEveryOrderItsRating()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var cases = new List<string>();
        var distinct = Count / 2;
        for (var i = 0; i < distinct; i++)
        {
            var no = $"V{i:000000}-{s.Agency[^4..]}";
            await s.PutCaseAsync(no, s.Case());
            cases.Add(no);
        }

        // Half the submissions repeat a case, concurrently with its first submission.
        var rng = new Random(7);
        var submissions = cases.SelectMany(no =>
        {
            var level = rng.Next(1, 6);
            var body = RatingScenario.Rating(no, level, text: level <= 2 ? "差" : null);
            return new[] { body, body };
        }).ToList();
        using var gate = new SemaphoreSlim(8);
        var responses = await Task.WhenAll(submissions.Select(async body =>
        {
            await gate.WaitAsync();
            try
            {
                return (int)(await s.RateAsync(body)).StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.All(responses, r => Assert.True(r is 200 or 201, r.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(distinct, responses.Count(r => r == 201));

        using var db = factory.Db();
        var bad = await db.Ratings.Where(r => cases.Contains(r.CaseNo) && r.Level <= 2).Select(r => r.Id).ToListAsync();
        var orders = await db.WorkOrders.Where(o => cases.Contains(o.CaseNo)).Select(o => o.RatingId).ToListAsync();
        Assert.NotEmpty(bad);
        Assert.Equal(bad.Order(), orders.Order());
        Assert.Equal(orders.Count, orders.Distinct().Count());
    }
}

public sealed class CalendarApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private readonly PingjiaFactory factory = WithoutFallback(factory);

    /// <summary>These tests are about years without holiday data: no weekends-only fallback (set before the host starts).</summary>
    private static PingjiaFactory WithoutFallback(PingjiaFactory factory)
    {
        factory.Settings["Pingjia:CalendarWeekendsOnlyFallback"] = "false";
        return factory;
    }

    [Fact]
    public async Task Deadline_Explained_ListsCountedAndSkippedDays()
    {
        var admin = factory.Client();
        var d = await HttpAssert.Json(await admin.GetAsync("/api/v1/calendar/deadline?start=2025-09-30T10:00:00%2B08:00&days=1"), 200);
        Assert.Equal(new DateTime(2025, 10, 9, 10, 0, 0, DateTimeKind.Utc), d.GetProperty("dueUtc").GetDateTime());
        Assert.Contains("国庆节", d.GetProperty("explanation").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, d.GetProperty("skipped").GetArrayLength());
    }

    [Fact]
    public async Task PutYear_IsVersionedAndValidated()
    {
        var admin = factory.Client();
        var body = new { source = "国务院办公厅通知（测试）", off = new[] { new { name = "元旦", from = "2028-01-01", to = "2028-01-03" } }, workdays = new[] { "2028-01-08" } };
        var v1 = await HttpAssert.Json(await admin.PutAsJsonAsync("/api/v1/calendar/years/2028", body), 200);
        var v2 = await HttpAssert.Json(await admin.PutAsJsonAsync("/api/v1/calendar/years/2028", body), 200);
        Assert.Equal(v1.GetProperty("version").GetInt32() + 1, v2.GetProperty("version").GetInt32());
        var history = await HttpAssert.Json(await admin.GetAsync("/api/v1/calendar/years/2028"), 200);
        Assert.Equal(2, history.GetArrayLength());
        var problem = await HttpAssert.Problem(await admin.PutAsJsonAsync("/api/v1/calendar/years/2028",
            new { source = "x", off = new[] { new { name = "错", from = "2029-01-01", to = "2028-01-01" } }, workdays = new[] { "2028-01-05" } }), 400, "validation_failed");
        Assert.Contains("off", HttpAssert.Fields(problem));
        Assert.Contains("workdays", HttpAssert.Fields(problem));
        var key = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "i", role = "integration", regionCode = (await factory.NewDistrictAsync(admin)).District }));
        await HttpAssert.Problem(await factory.Client(key.GetProperty("key").GetString()).PutAsJsonAsync("/api/v1/calendar/years/2028", body), 403, "forbidden");
    }

    [Fact]
    public async Task BadRating_InYearWithoutCalendar_StillMakesOrderAndTellsSupervisor()
    {
        factory.Clock.Advance(TimeSpan.FromDays(365 * 3)); // into 2029, for which nobody entered holidays
        var s = await RatingScenario.CreateAsync(factory);
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 1, text: "很差")), 201);
        using var db = factory.Db();
        var order = await db.WorkOrders.AsNoTracking().SingleAsync(o => o.CaseNo == caseNo);
        Assert.Null(order.ReplyDueAt);
        Assert.True(await db.Notifications.AnyAsync(n => n.WorkOrderId == order.Id && n.Audience == "supervisor" && n.Kind == "calendar_missing"));
    }
}
