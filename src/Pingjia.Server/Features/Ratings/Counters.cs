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

    /// <summary>An upheld exclusion: out of the valid counts, into the excluded count.</summary>
    public static CounterDelta ForExclusion(int level, bool isDefault) => ForRating(level, isDefault, -1) with { Excluded = 1 };
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
