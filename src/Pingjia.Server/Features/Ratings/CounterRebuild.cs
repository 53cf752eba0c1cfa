using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.WorkOrders;

namespace Pingjia.Server.Features.Ratings;

/// <summary>What a rebuild found: how many counter rows differed from a recount of the raw rows, and some examples.</summary>
public sealed record RebuildReport(int Rows, int Differences, IReadOnlyList<string> Examples);

/// <summary>
/// Recomputes every counter from cases and ratings (the definition the live updates must follow), reports where
/// the stored counters differ, and replaces them. Used by <c>pingjia stats rebuild</c> and by tests as the brute-force recount.
/// </summary>
public static class CounterRebuild
{
    public static async Task<Dictionary<CounterKey, CounterDelta>> RecountAsync(PingjiaDbContext db, CancellationToken ct)
    {
        var expected = new Dictionary<CounterKey, CounterDelta>();
        void Add(CounterKey k, CounterDelta d) => expected[k] = expected.TryGetValue(k, out var e) ? e + d : d;

        await foreach (var c in db.Cases.AsNoTracking().Where(c => c.RatingOpensAt != null)
            .Select(c => new { c.RatingOpensAt, c.AgencyId, c.ItemId, c.StaffId, c.HasActiveRating }).AsAsyncEnumerable().WithCancellation(ct))
        {
            Add(new CounterKey(RatingWindow.DayOf(c.RatingOpensAt!.Value), c.AgencyId, c.ItemId, c.StaffId ?? Guid.Empty, ""),
                new CounterDelta(Finished: 1, FinishedRated: c.HasActiveRating ? 1 : 0));
        }

        await foreach (var r in db.Ratings.AsNoTracking()
            .Select(r => new { r.Day, r.AgencyId, r.ItemId, r.StaffId, r.Channel, r.Level, r.IsDefault, r.Excluded, HasFollowUp = r.FollowUp != null })
            .AsAsyncEnumerable().WithCancellation(ct))
        {
            var key = new CounterKey(r.Day, r.AgencyId, r.ItemId, r.StaffId ?? Guid.Empty, Counters.ChannelKey(r.Channel));
            Add(key, r.Excluded ? new CounterDelta(Excluded: 1) : CounterDelta.ForRating(r.Level, r.IsDefault));
            if (r.HasFollowUp)
            {
                Add(key, new CounterDelta(FollowUps: 1));
            }
        }

        return expected;
    }

    /// <summary>The handling counters as a count over the work orders, by the same rule as the live updates.</summary>
    public static async Task<Dictionary<HandlingKey, HandlingTotals>> RecountHandlingAsync(PingjiaDbContext db, CancellationToken ct)
    {
        var expected = new Dictionary<HandlingKey, HandlingTotals>();
        await foreach (var o in db.WorkOrders.AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            HandlingCounters.Diff(null, o, expected);
        }

        return expected;
    }

    public static async Task<RebuildReport> RunAsync(PingjiaDbContext db, bool apply, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var examples = new List<string>();
        var differences = 0;
        void Compare<TKey, TValue>(string table, Dictionary<TKey, TValue> expected, Dictionary<TKey, TValue> stored, TValue zero)
            where TKey : notnull
        {
            foreach (var key in expected.Keys.Union(stored.Keys))
            {
                var want = expected.GetValueOrDefault(key) ?? zero;
                var have = stored.GetValueOrDefault(key) ?? zero;
                if (!Equals(want, have))
                {
                    differences++;
                    if (examples.Count < 20)
                    {
                        examples.Add($"{table} {key}: stored {have}, recount {want}");
                    }
                }
            }
        }

        var days = await RecountAsync(db, ct);
        var months = new Dictionary<CounterKey, CounterDelta>();
        foreach (var (key, delta) in days)
        {
            var month = key.ToMonth();
            months[month] = months.TryGetValue(month, out var d) ? d + delta : delta;
        }

        var handling = await RecountHandlingAsync(db, ct);
        Compare(Counters.DayTable, days, await db.RatingCounters.AsNoTracking()
            .ToDictionaryAsync(s => new CounterKey(s.Day, s.AgencyId, s.ItemId, s.StaffId, s.Channel), ToDelta, ct), new CounterDelta());
        Compare(Counters.MonthTable, months, await db.RatingCountersMonthly.AsNoTracking()
            .ToDictionaryAsync(s => new CounterKey(s.Month, s.AgencyId, s.ItemId, s.StaffId, s.Channel), ToDelta, ct), new CounterDelta());
        Compare("handling_counters", handling, await db.HandlingCounters.AsNoTracking()
            .ToDictionaryAsync(h => new HandlingKey(h.Day, h.AgencyId, h.ItemId), h => new HandlingTotals(
                h.BadRatings, h.Replied, h.Founded, h.Rectified, h.Answered, h.Satisfied, h.Closed, h.ClosedOnTime, h.Overdue), ct), HandlingTotals.Zero);

        if (apply && differences > 0)
        {
            await db.RatingCounters.ExecuteDeleteAsync(ct);
            await db.RatingCountersMonthly.ExecuteDeleteAsync(ct);
            await db.HandlingCounters.ExecuteDeleteAsync(ct);
            db.RatingCounters.AddRange(days.Select(e => Fill(new RatingCounter { Day = e.Key.Day, Channel = e.Key.Channel }, e.Key, e.Value)));
            db.RatingCountersMonthly.AddRange(months.Select(e => Fill(new RatingCounterMonth { Month = e.Key.Day, Channel = e.Key.Channel }, e.Key, e.Value)));
            db.HandlingCounters.AddRange(handling.Select(e => new HandlingCounter
            {
                Day = e.Key.Day, AgencyId = e.Key.AgencyId, ItemId = e.Key.ItemId,
                BadRatings = e.Value.BadRatings, Replied = e.Value.Replied, Founded = e.Value.Founded, Rectified = e.Value.Rectified,
                Answered = e.Value.Answered, Satisfied = e.Value.Satisfied, Closed = e.Value.Closed, ClosedOnTime = e.Value.ClosedOnTime, Overdue = e.Value.Overdue,
            }));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        await tx.CommitAsync(ct);
        return new RebuildReport(days.Count + months.Count + handling.Count, differences, examples);
    }

    private static T Fill<T>(T row, CounterKey k, CounterDelta d)
        where T : RatingCounterColumns
    {
        row.AgencyId = k.AgencyId;
        row.ItemId = k.ItemId;
        row.StaffId = k.StaffId;
        row.Finished = d.Finished;
        row.FinishedRated = d.FinishedRated;
        row.Active = d.Active;
        row.A1 = d.A1;
        row.A2 = d.A2;
        row.A3 = d.A3;
        row.A4 = d.A4;
        row.A5 = d.A5;
        row.Defaults = d.Defaults;
        row.Excluded = d.Excluded;
        row.FollowUps = d.FollowUps;
        return row;
    }

    /// <summary>Zero rows are equal to absent ones (a rating excluded and counted back leaves zeros behind).</summary>
    private static CounterDelta ToDelta(RatingCounterColumns s) =>
        new(s.Finished, s.FinishedRated, s.Active, s.A1, s.A2, s.A3, s.A4, s.A5, s.Defaults, s.Excluded, s.FollowUps);
}
