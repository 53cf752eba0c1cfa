using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Ratings;

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

    public static async Task<RebuildReport> RunAsync(PingjiaDbContext db, bool apply, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var expected = await RecountAsync(db, ct);
        var stored = await db.RatingCounters.AsNoTracking().ToListAsync(ct);
        var storedByKey = stored.ToDictionary(s => new CounterKey(s.Day, s.AgencyId, s.ItemId, s.StaffId, s.Channel), ToDelta);
        var examples = new List<string>();
        var differences = 0;
        foreach (var key in expected.Keys.Union(storedByKey.Keys))
        {
            var want = expected.GetValueOrDefault(key) ?? new CounterDelta();
            var have = storedByKey.GetValueOrDefault(key) ?? new CounterDelta();
            if (want != have)
            {
                differences++;
                if (examples.Count < 20)
                {
                    examples.Add($"{key.Day} agency {key.AgencyId} item {key.ItemId} staff {key.StaffId} channel '{key.Channel}': stored {have}, recount {want}");
                }
            }
        }

        if (apply && differences > 0)
        {
            await db.RatingCounters.ExecuteDeleteAsync(ct);
            db.RatingCounters.AddRange(expected.Select(e => new RatingCounter
            {
                Day = e.Key.Day, AgencyId = e.Key.AgencyId, ItemId = e.Key.ItemId, StaffId = e.Key.StaffId, Channel = e.Key.Channel,
                Finished = e.Value.Finished, FinishedRated = e.Value.FinishedRated, Active = e.Value.Active,
                A1 = e.Value.A1, A2 = e.Value.A2, A3 = e.Value.A3, A4 = e.Value.A4, A5 = e.Value.A5,
                Defaults = e.Value.Defaults, Excluded = e.Value.Excluded, FollowUps = e.Value.FollowUps,
            }));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        await tx.CommitAsync(ct);
        return new RebuildReport(expected.Count, differences, examples);
    }

    /// <summary>Zero rows are equal to absent ones (a rating excluded and counted back leaves zeros behind).</summary>
    private static CounterDelta ToDelta(RatingCounter s) =>
        new(s.Finished, s.FinishedRated, s.Active, s.A1, s.A2, s.A3, s.A4, s.A5, s.Defaults, s.Excluded, s.FollowUps);
}
