using Microsoft.EntityFrameworkCore;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

public sealed class CountersTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Flush_ManyKeysTwice_AddsEveryDeltaToItsDayAndMonthRows()
    {
        // 300 distinct days over 10 months: several statements per table on either provider (8 or 250 rows each),
        // and the second flush takes the update path of every row.
        var (agency, item, staff) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var days = Enumerable.Range(0, 300).Select(i => ((2030 * 100) + 1 + (i / 30)) * 100 + 1 + (i % 30)).ToList();
        for (var round = 0; round < 2; round++)
        {
            using var db = factory.Db();
            await using var tx = await db.Database.BeginTransactionAsync();
            var batch = new CounterBatch();
            foreach (var day in days)
            {
                batch.Add(new CounterKey(day, agency, item, staff, "app"), CounterDelta.ForRating((day % 5) + 1, false));
                batch.Add(new CounterKey(day, agency, item, staff, "app"), new CounterDelta(FollowUps: 1));
                batch.Add(new CounterKey(day, agency, item, staff, ""), new CounterDelta(Finished: 2, FinishedRated: 1));
            }

            await using var statements = new Pingjia.Data.StatementBatch(db);
            await batch.AddToAsync(statements, CancellationToken.None);
            await statements.FlushAsync(CancellationToken.None);
            await tx.CommitAsync();
        }

        using var read = factory.Db();
        var dayRows = await read.RatingCounters.AsNoTracking().Where(c => c.StaffId == staff).ToListAsync();
        Assert.Equal(600, dayRows.Count);
        foreach (var row in dayRows)
        {
            if (row.Channel == "app")
            {
                Assert.Equal(2, row.Active);
                Assert.Equal(2, row.FollowUps);
                var level = (row.Day % 5) + 1;
                Assert.Equal(2, level switch { 1 => row.A1, 2 => row.A2, 3 => row.A3, 4 => row.A4, _ => row.A5 });
            }
            else
            {
                Assert.Equal((4, 2, 0), (row.Finished, row.FinishedRated, row.Active));
            }
        }

        var months = await read.RatingCountersMonthly.AsNoTracking().Where(c => c.StaffId == staff).ToListAsync();
        Assert.Equal(20, months.Count);
        Assert.All(months.Where(m => m.Channel == "app"), m => Assert.Equal((60, 60), (m.Active, m.FollowUps)));
        Assert.All(months.Where(m => m.Channel == ""), m => Assert.Equal((120, 60), (m.Finished, m.FinishedRated)));
    }
}
