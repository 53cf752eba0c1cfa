using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

/// <summary>
/// The rating writer remembers where its last commit left the audit chain and, on PostgreSQL, writes the next batch in
/// one round trip chained onto it. Its own factory: one test moves the clock.
/// </summary>
public sealed class RatingWriterTests(RatingWriterTests.Factory factory) : IClassFixture<RatingWriterTests.Factory>
{
    public sealed class Factory : IDisposable
    {
        public PingjiaFactory Server { get; } = new();

        public void Dispose() => Server.Dispose();
    }

    private PingjiaFactory Server => factory.Server;

    [Fact]
    public async Task WriteBatch_AuditAppendedByAnotherTransactionMeanwhile_RatingStandsAndChainVerifies()
    {
        var s = await RatingScenario.CreateAsync(Server);
        var first = await s.FinishedCaseAsync();
        var second = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(first)), 201);
        var writer = Server.Services.GetRequiredService<RatingWriter>();
        Assert.Equal(await HeadAsync(), writer.ChainEnd);

        // Intake appends "case.created": the end the writer remembers is behind the chain's now.
        await s.FinishedCaseAsync();
        Assert.NotEqual(await HeadAsync(), writer.ChainEnd);

        var chained = writer.ChainedBatches;
        var rated = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(second, 4, ["413"])), 201);
        Assert.Equal(chained, writer.ChainedBatches); // chained onto the stale end it failed whole, and went the usual way
        var id = rated.GetProperty("rating").GetProperty("id").GetGuid().ToString();
        using var db = Server.Db();
        Assert.Equal(1, await db.Ratings.CountAsync(r => r.CaseNo == second));
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.EntityType == "rating" && e.EntityId == id));
        Assert.True((await AuditVerifier.VerifyAsync(db, CancellationToken.None)).Ok);
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
        Assert.Equal(await HeadAsync(), writer.ChainEnd);
    }

    [Fact]
    public async Task WriteBatch_ChainedOntoRememberedEnd_CountsTheCaseOnceOnTheShanghaiDayItsRatingOpened()
    {
        // 16:45 UTC is 00:45 of the next day in Shanghai: the rated count belongs to that day and its month.
        var now = Server.Clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcDateTime.Date.AddHours(16).AddMinutes(45), TimeSpan.Zero);
        Server.Clock.SetUtcNow(at > now ? at : at.AddDays(1));
        var s = await RatingScenario.CreateAsync(Server);
        var primer = await s.FinishedCaseAsync();
        var no = await s.FinishedCaseAsync();
        var writer = Server.Services.GetRequiredService<RatingWriter>();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(primer)), 201); // the writer now knows the chain's end
        var chained = writer.ChainedBatches;

        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5, ["510"])), 201);
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5, ["510"])), 200);

        // On PostgreSQL the rating went in one round trip, chained onto the remembered end; SQLite has no such path.
        Assert.Equal(chained + (PingjiaFactory.IsPostgres ? 1 : 0), writer.ChainedBatches);
        using var db = Server.Db();
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.CaseNo == no);
        var day = RatingWindow.DayOf(c.RatingOpensAt!.Value);
        var staff = c.StaffId ?? Guid.Empty;
        Assert.Equal(int.Parse(Server.Clock.GetUtcNow().UtcDateTime.AddDays(1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), day);
        var dayRow = await db.RatingCounters.AsNoTracking()
            .SingleAsync(r => r.Day == day && r.AgencyId == c.AgencyId && r.ItemId == c.ItemId && r.StaffId == staff && r.Channel == "");
        var monthRow = await db.RatingCountersMonthly.AsNoTracking()
            .SingleAsync(r => r.Month == day / 100 && r.AgencyId == c.AgencyId && r.ItemId == c.ItemId && r.StaffId == staff && r.Channel == "");
        Assert.Equal((2L, 2L), (dayRow.Finished, dayRow.FinishedRated));
        Assert.Equal((2L, 2L), (monthRow.Finished, monthRow.FinishedRated));
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
        Assert.True((await AuditVerifier.VerifyAsync(db, CancellationToken.None)).Ok);
    }

    private async Task<AuditChainEnd> HeadAsync()
    {
        using var db = Server.Db();
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == 1);
        return new AuditChainEnd(head.Sequence, head.Hash);
    }
}
