using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Ratings;

namespace Pingjia.Server.Features.Ratings;

/// <summary>Which counter row a change lands in: day, agency, item, staff and rating channel ("" for case-level counts).</summary>
public sealed record CounterKey(int Day, Guid AgencyId, Guid ItemId, Guid StaffId, string Channel)
{
    /// <summary>The month row (yyyymm) the same change also lands in.</summary>
    public CounterKey ToMonth() => this with { Day = Day / 100 };
}

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

/// <summary>Changes to counters gathered over a transaction, written with one upsert per distinct day row and month row.</summary>
public sealed class CounterBatch
{
    private readonly Dictionary<CounterKey, CounterDelta> _days = [];

    public void Add(CounterKey key, CounterDelta delta) => _days[key] = _days.TryGetValue(key, out var d) ? d + delta : delta;

    public async Task FlushAsync(PingjiaDbContext db, CancellationToken ct)
    {
        var months = new Dictionary<CounterKey, CounterDelta>();
        foreach (var (key, delta) in _days)
        {
            await Counters.UpsertAsync(db, Counters.DayTable, key, delta, ct);
            var month = key.ToMonth();
            months[month] = months.TryGetValue(month, out var d) ? d + delta : delta;
        }

        foreach (var (key, delta) in months)
        {
            await Counters.UpsertAsync(db, Counters.MonthTable, key, delta, ct);
        }

        _days.Clear();
    }
}

/// <summary>
/// Adds to counter rows with one upsert statement per row (the same SQL on SQLite and PostgreSQL), inside the caller's
/// transaction, so a figure and the change it counts commit together. Every change lands in its day row and its month row.
/// </summary>
public static class Counters
{
    internal const string DayTable = "rating_counters";
    internal const string MonthTable = "rating_counters_monthly";

    public static string ChannelKey(RatingChannel channel) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(channel.ToString());

    public static async Task AddAsync(PingjiaDbContext db, CounterKey k, CounterDelta d, CancellationToken ct)
    {
        await UpsertAsync(db, DayTable, k, d, ct);
        await UpsertAsync(db, MonthTable, k.ToMonth(), d, ct);
    }

    internal static Task UpsertAsync(PingjiaDbContext db, string table, CounterKey k, CounterDelta d, CancellationToken ct)
    {
        var period = table == MonthTable ? "Month" : "Day";
        // The table and column names are the two constants above; every value is a parameter.
#pragma warning disable EF1002
        return db.Database.ExecuteSqlRawAsync($$"""
            INSERT INTO {{table}} ("AgencyId", "{{period}}", "ItemId", "StaffId", "Channel", "Finished", "FinishedRated", "Active", "A1", "A2", "A3", "A4", "A5", "Defaults", "Excluded", "FollowUps")
            VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15})
            ON CONFLICT ("AgencyId", "{{period}}", "ItemId", "StaffId", "Channel") DO UPDATE SET
              "Finished" = {{table}}."Finished" + excluded."Finished",
              "FinishedRated" = {{table}}."FinishedRated" + excluded."FinishedRated",
              "Active" = {{table}}."Active" + excluded."Active",
              "A1" = {{table}}."A1" + excluded."A1",
              "A2" = {{table}}."A2" + excluded."A2",
              "A3" = {{table}}."A3" + excluded."A3",
              "A4" = {{table}}."A4" + excluded."A4",
              "A5" = {{table}}."A5" + excluded."A5",
              "Defaults" = {{table}}."Defaults" + excluded."Defaults",
              "Excluded" = {{table}}."Excluded" + excluded."Excluded",
              "FollowUps" = {{table}}."FollowUps" + excluded."FollowUps"
            """,
            [k.AgencyId, k.Day, k.ItemId, k.StaffId, k.Channel, d.Finished, d.FinishedRated, d.Active, d.A1, d.A2, d.A3, d.A4, d.A5, d.Defaults, d.Excluded, d.FollowUps],
            ct);
#pragma warning restore EF1002
    }
}
