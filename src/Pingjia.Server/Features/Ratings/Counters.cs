using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Ratings;

namespace Pingjia.Server.Features.Ratings;

/// <summary>Which counter row a change lands in: day, agency, item, staff and rating channel ("" for case-level counts).</summary>
public sealed record CounterKey(int Day, Guid AgencyId, Guid ItemId, Guid StaffId, string Channel);

/// <summary>Signed changes to one counter row.</summary>
public sealed record CounterDelta(
    long Finished = 0, long FinishedRated = 0, long Active = 0,
    long A1 = 0, long A2 = 0, long A3 = 0, long A4 = 0, long A5 = 0,
    long Defaults = 0, long Excluded = 0, long FollowUps = 0)
{
    /// <summary>A rating counted (sign +1) or taken out of the valid figures (sign −1).</summary>
    public static CounterDelta ForRating(int level, bool isDefault, int sign = 1) => isDefault
        ? new CounterDelta(Defaults: sign)
        : new CounterDelta(Active: sign, A1: level == 1 ? sign : 0, A2: level == 2 ? sign : 0, A3: level == 3 ? sign : 0, A4: level == 4 ? sign : 0, A5: level == 5 ? sign : 0);

    public static CounterDelta operator +(CounterDelta a, CounterDelta b) => new(
        a.Finished + b.Finished, a.FinishedRated + b.FinishedRated, a.Active + b.Active, a.A1 + b.A1, a.A2 + b.A2, a.A3 + b.A3,
        a.A4 + b.A4, a.A5 + b.A5, a.Defaults + b.Defaults, a.Excluded + b.Excluded, a.FollowUps + b.FollowUps);

    /// <summary>An upheld exclusion: out of the valid counts, into the excluded count.</summary>
    public static CounterDelta ForExclusion(int level, bool isDefault) => ForRating(level, isDefault, -1) with { Excluded = 1 };
}

/// <summary>Changes to counters gathered over a transaction, written with one upsert per distinct row.</summary>
public sealed class CounterBatch
{
    private readonly Dictionary<CounterKey, CounterDelta> _deltas = [];

    public void Add(CounterKey key, CounterDelta delta) =>
        _deltas[key] = _deltas.TryGetValue(key, out var d) ? d + delta : delta;

    public async Task FlushAsync(PingjiaDbContext db, CancellationToken ct)
    {
        foreach (var (key, delta) in _deltas)
        {
            await Counters.AddAsync(db, key, delta, ct);
        }

        _deltas.Clear();
    }
}

/// <summary>
/// Adds to counter rows with one upsert statement (the same SQL on SQLite and PostgreSQL), inside the caller's
/// transaction, so a figure and the change it counts commit together.
/// </summary>
public static class Counters
{
    public static string ChannelKey(RatingChannel channel) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(channel.ToString());

    public static Task AddAsync(PingjiaDbContext db, CounterKey k, CounterDelta d, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO rating_counters ("AgencyId", "Day", "ItemId", "StaffId", "Channel", "Finished", "FinishedRated", "Active", "A1", "A2", "A3", "A4", "A5", "Defaults", "Excluded", "FollowUps")
            VALUES ({k.AgencyId}, {k.Day}, {k.ItemId}, {k.StaffId}, {k.Channel}, {d.Finished}, {d.FinishedRated}, {d.Active}, {d.A1}, {d.A2}, {d.A3}, {d.A4}, {d.A5}, {d.Defaults}, {d.Excluded}, {d.FollowUps})
            ON CONFLICT ("AgencyId", "Day", "ItemId", "StaffId", "Channel") DO UPDATE SET
              "Finished" = rating_counters."Finished" + excluded."Finished",
              "FinishedRated" = rating_counters."FinishedRated" + excluded."FinishedRated",
              "Active" = rating_counters."Active" + excluded."Active",
              "A1" = rating_counters."A1" + excluded."A1",
              "A2" = rating_counters."A2" + excluded."A2",
              "A3" = rating_counters."A3" + excluded."A3",
              "A4" = rating_counters."A4" + excluded."A4",
              "A5" = rating_counters."A5" + excluded."A5",
              "Defaults" = rating_counters."Defaults" + excluded."Defaults",
              "Excluded" = rating_counters."Excluded" + excluded."Excluded",
              "FollowUps" = rating_counters."FollowUps" + excluded."FollowUps"
            """, ct);
}
