using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

public sealed class RatingWindowJobTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private RatingJobs Jobs => factory.Services.GetRequiredService<RatingJobs>();

    private void AdvanceTo(DateTime utc) => factory.Clock.Advance(utc - factory.Clock.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task RatingAt235959OfLastDay_StandsAndGetsNoDefault()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var rated = RatingScenario.NewCaseNo();
        var unrated = RatingScenario.NewCaseNo();
        var opened = s.Now;
        await s.PutCaseAsync(rated, s.Case(decidedAt: opened));
        await s.PutCaseAsync(unrated, s.Case(decidedAt: opened));
        var closes = RatingWindow.ClosesAt(opened.UtcDateTime, 7);
        Assert.Equal(TimeSpan.Zero, (closes + RatingWindow.ShanghaiOffset).TimeOfDay); // midnight in Shanghai

        AdvanceTo(closes.AddSeconds(-1)); // 23:59:59 of the 7th day, Shanghai time
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(rated, 4, ["413"])), 201);
        AdvanceTo(closes);
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(unrated, 4, ["413"])), 409, "window_closed");

        await Jobs.RunOnceAsync(CancellationToken.None);
        await Jobs.RunOnceAsync(CancellationToken.None); // a second run changes nothing
        using var db = factory.Db();
        var ratings = await db.Ratings.Where(r => r.CaseNo == rated || r.CaseNo == unrated).ToListAsync();
        Assert.Equal(2, ratings.Count);
        Assert.False(ratings.Single(r => r.CaseNo == rated).IsDefault);
        var defaulted = ratings.Single(r => r.CaseNo == unrated);
        Assert.True(defaulted.IsDefault);
        Assert.Equal(3, defaulted.Level);
        Assert.Equal(closes, defaulted.CreatedAt);
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
    }

    [Fact]
    public async Task DefaultJob_RunConcurrentlyTwice_RecordsEachDefaultOnce()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var cases = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            cases.Add(await s.FinishedCaseAsync());
        }

        factory.Clock.Advance(TimeSpan.FromDays(9));
        // Two instances as after a restart with the old one still finishing: the guards keep it to one default per case.
        var other = ActivatorUtilities.CreateInstance<RatingJobs>(factory.Services);
        await Task.WhenAll(Jobs.CloseWindowsAsync(CancellationToken.None), other.CloseWindowsAsync(CancellationToken.None));
        using var db = factory.Db();
        Assert.Equal(12, await db.Ratings.CountAsync(r => cases.Contains(r.CaseNo) && r.IsDefault));
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
    }

    [Fact]
    public async Task Reminder_AfterDelay_OneSmsWithPersonalLinkNeverTwice()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var withMobile = await s.FinishedCaseAsync();
        var noMobile = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(noMobile, s.Case(applicant: new { type = "2", name = "某公司" }));
        var rated = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(rated, 5)), 201);

        factory.Clock.Advance(TimeSpan.FromHours(23));
        await Jobs.SendRemindersAsync(CancellationToken.None);
        using (var db = factory.Db())
        {
            Assert.False(await db.SmsOutbox.AnyAsync(m => db.Cases.Any(c => c.Id == m.CaseId && c.CaseNo == withMobile)));
        }

        factory.Clock.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(Jobs.SendRemindersAsync(CancellationToken.None), Jobs.SendRemindersAsync(CancellationToken.None));
        await Jobs.SendRemindersAsync(CancellationToken.None);
        var outbox = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={withMobile}"), 200);
        var message = Assert.Single(outbox.GetProperty("items").EnumerateArray());
        Assert.Equal("138****1234", message.GetProperty("mobile").GetString());
        var body = message.GetProperty("body").GetString()!;
        Assert.Contains("/r/", body, StringComparison.Ordinal);
        Assert.DoesNotContain("13812341234", body, StringComparison.Ordinal);
        Assert.Equal(0, (await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={noMobile}"), 200)).GetProperty("total").GetInt32());
        Assert.Equal(0, (await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={rated}"), 200)).GetProperty("total").GetInt32());

        // The link in the SMS rates that case, through the SMS channel.
        var token = body[(body.IndexOf("/r/", StringComparison.Ordinal) + 3)..];
        var anonymous = factory.Client(apiKey: null);
        var result = await HttpAssert.Json(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token, level = 5 }), 201);
        Assert.Equal("sms", result.GetProperty("rating").GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Jobs_RatedCase_SettledByReminderJobWithoutSmsOrDefault()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var rated = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(rated, 5)), 201);
        Assert.Equal(RatingJobStage.Remind, await StageOfAsync(rated)); // the rating itself leaves the stage alone

        factory.Clock.Advance(TimeSpan.FromHours(25));
        await Jobs.SendRemindersAsync(CancellationToken.None);
        Assert.Equal(RatingJobStage.Done, await StageOfAsync(rated));

        factory.Clock.Advance(TimeSpan.FromDays(8));
        await Jobs.RunOnceAsync(CancellationToken.None);
        using var db = factory.Db();
        Assert.Equal(1, await db.Ratings.CountAsync(r => r.CaseNo == rated));
        Assert.False(await db.SmsOutbox.AnyAsync(m => db.Cases.Any(c => c.Id == m.CaseId && c.CaseNo == rated)));
    }

    [Fact]
    public async Task CloseJob_RatedBeforeAnyReminderRun_SettledWithoutDefault()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var rated = await s.FinishedCaseAsync();
        var unrated = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(rated, 4, ["413"])), 201);

        factory.Clock.Advance(TimeSpan.FromDays(9)); // no reminder run in between: the close job meets both in the first stage
        await Jobs.CloseWindowsAsync(CancellationToken.None);
        Assert.Equal(RatingJobStage.Done, await StageOfAsync(rated));
        Assert.Equal(RatingJobStage.Done, await StageOfAsync(unrated));
        using var db = factory.Db();
        Assert.False((await db.Ratings.SingleAsync(r => r.CaseNo == rated)).IsDefault);
        Assert.True((await db.Ratings.SingleAsync(r => r.CaseNo == unrated)).IsDefault);
    }

    [Fact]
    public async Task Reminder_MobileGivenAfterReminderTime_SentOnceThen()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case(applicant: new { type = "1", name = "张三丰", idType = "111", idNumber = "44030419900101123X" }));
        factory.Clock.Advance(TimeSpan.FromHours(25));
        await Jobs.SendRemindersAsync(CancellationToken.None);
        Assert.Equal(RatingJobStage.Close, await StageOfAsync(no)); // nobody to write to: on to the close

        await s.PutCaseAsync(no, s.Case(applicant: new { type = "1", name = "张三丰", idType = "111", idNumber = "44030419900101123X", mobile = "13912345678" },
            decidedAt: s.Now.AddHours(-25), eventAt: s.Now));
        Assert.Equal(RatingJobStage.Remind, await StageOfAsync(no));
        await Jobs.SendRemindersAsync(CancellationToken.None);
        await Jobs.SendRemindersAsync(CancellationToken.None);
        var outbox = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={no}"), 200);
        Assert.Equal(1, outbox.GetProperty("total").GetInt32());
        Assert.Equal(RatingJobStage.Close, await StageOfAsync(no));
    }

    [Fact]
    public async Task RecordDefault_WindowMovedByAnUpdateInFlight_NoDefault()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        using var db = factory.Db();
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.CaseNo == no);
        var closes = c.RatingClosesAt!.Value;

        // Intake moving the window three days on, not yet committed, when the job finds the window closed.
        using var intake = factory.Db();
        var moving = await intake.Database.BeginTransactionAsync();
        await intake.Cases.Where(x => x.Id == c.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.RatingClosesAt, closes.AddDays(3)));
        var job = Task.Run(async () =>
        {
            using var scope = factory.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<RatingService>().RecordDefaultAsync(c.Id, closes.AddMinutes(1), CancellationToken.None);
        });
        await Task.Delay(500); // the job reaches the case's row lock (PostgreSQL) or the write lock (SQLite) and waits
        await moving.CommitAsync();
        await moving.DisposeAsync();

        Assert.False(await job);
        using var after = factory.Db();
        var stored = await after.Cases.AsNoTracking().SingleAsync(x => x.Id == c.Id);
        Assert.Null(stored.DefaultedAt);
        Assert.Equal(closes.AddDays(3), stored.RatingClosesAt);
        Assert.Equal(RatingJobStage.Remind, stored.JobStage);
        Assert.False(await after.Ratings.AnyAsync(r => r.CaseId == c.Id));
    }

    [Fact]
    public async Task CaseIntake_WaitingForTheAuditHead_HoldsNoCounterRow()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var first = await s.FinishedCaseAsync(); // makes the day's counter row of this agency and item
        using var db = factory.Db();
        var agencyId = await db.Cases.Where(c => c.CaseNo == first).Select(c => c.AgencyId).SingleAsync();

        // Another writer holds the audit chain's head (on SQLite: the one write lock) while a new case of the same day comes in.
        using var holder = factory.Db();
        var holding = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlRawAsync("""UPDATE audit_head SET "Sequence" = "Sequence" WHERE "Id" = 1""");
        var no = RatingScenario.NewCaseNo();
        var intake = s.Admin.PutAsJsonAsync($"/api/v1/cases/{no}", s.Case());
        await Task.Delay(500); // the intake reaches the head and waits
        if (db.IsPostgres)
        {
            // Waiting for the head, the intake must hold none of the shared counter rows: every writer takes the head
            // first, so a transaction that held a counter row here could deadlock against one that holds the head.
            using var probe = factory.Db();
            await using var tx = await probe.Database.BeginTransactionAsync();
            var locked = await probe.Database.SqlQuery<int>(
                $"""SELECT 1 AS "Value" FROM rating_counters WHERE "AgencyId" = {agencyId} FOR UPDATE NOWAIT""").ToListAsync();
            Assert.NotEmpty(locked);
            await tx.RollbackAsync();
        }

        await holding.CommitAsync();
        await holding.DisposeAsync();
        Assert.Equal(HttpStatusCode.OK, (await intake).StatusCode);
        using var after = factory.Db();
        Assert.Equal(2, await after.RatingCounters.Where(r => r.AgencyId == agencyId && r.Channel == "").SumAsync(r => r.Finished));
    }

    [Fact]
    public async Task RatingClaim_UpdatesOnlyTheNarrowStateRow_CasesRowUntouched()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        using var db = factory.Db();
        // The writer's claim rewrites a narrow row in a table of its own, indexed by its key alone; never the wide case.
        var entity = db.Model.FindEntityType(typeof(Case))!;
        var state = StoreObjectIdentifier.Table("case_rating_states");
        Assert.Equal("case_rating_states", entity.FindProperty(nameof(Case.HasActiveRating))!.GetTableColumnMappings().Single().Column.Table.Name);
        Assert.Null(entity.FindProperty(nameof(Case.HasActiveRating))!.GetColumnName(StoreObjectIdentifier.Table("cases")));
        Assert.All(entity.GetIndexes(), i => Assert.DoesNotContain(i.Properties, p => p.GetColumnName(state) is not null && !p.IsPrimaryKey()));

        var id = await db.Cases.Where(c => c.CaseNo == no).Select(c => c.Id).SingleAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        var before = await UpdateCountsAsync(db);
        Assert.Equal([id], await CaseClaims.ClaimUnratedAsync(db, [id], CancellationToken.None));
        Assert.Empty(await CaseClaims.ClaimUnratedAsync(db, [id], CancellationToken.None)); // once only
        Assert.True(await db.Cases.Where(c => c.Id == id).Select(c => c.HasActiveRating).SingleAsync());
        if (db.IsPostgres)
        {
            // The backend's counts not yet reported (earlier work on this pooled connection included), so compared
            // before and after: one update of the state row, none of the case row.
            var after = await UpdateCountsAsync(db);
            Assert.Equal(0, after!.Cases - before!.Cases);
            Assert.Equal(1, after.States - before.States);
        }
    }

    private static async Task<UpdateCounts?> UpdateCountsAsync(Pingjia.Data.PingjiaDbContext db) => db.IsPostgres
        ? await db.Database.SqlQuery<UpdateCounts>($"""
            SELECT (SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'cases') AS "Cases",
                   (SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'case_rating_states') AS "States"
            """).SingleAsync()
        : null;

    private sealed record UpdateCounts(long Cases, long States);

    private async Task<RatingJobStage> StageOfAsync(string caseNo)
    {
        using var db = factory.Db();
        return await db.Cases.Where(c => c.CaseNo == caseNo).Select(c => c.JobStage).SingleAsync();
    }
}

public sealed class PrivacyTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task FullScenario_Logs_NeverContainPersonalDataInClear()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/cases/{no}?reveal=true"), 200);
        var link = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{no}/rating-links", new { channel = "sms" }));
        await factory.Client(null).PostAsJsonAsync("/api/v1/ratings/by-link", new { token = link.GetProperty("token").GetString(), level = 1, text = "很差" });
        var other = await s.FinishedCaseAsync();
        factory.Clock.Advance(TimeSpan.FromDays(2));
        await factory.Services.GetRequiredService<RatingJobs>().RunOnceAsync(CancellationToken.None);
        factory.Clock.Advance(TimeSpan.FromDays(8));
        await factory.Services.GetRequiredService<RatingJobs>().RunOnceAsync(CancellationToken.None);
        await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={other}");
        await s.Admin.PutAsJsonAsync($"/api/v1/cases/{no}", new { applicant = new { mobile = "13812341234" } }); // a bad request too

        Assert.NotEmpty(factory.Logs.Lines);
        foreach (var secret in new[] { "张三丰", "13812341234", "44030419900101123X" })
        {
            Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }

        using var db = factory.Db();
        var audit = await db.AuditEntries.Select(e => e.Data).ToListAsync();
        Assert.DoesNotContain(audit, d => d.Contains("张三丰", StringComparison.Ordinal) || d.Contains("13812341234", StringComparison.Ordinal));
    }
}
