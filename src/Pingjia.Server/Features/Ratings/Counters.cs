using System.Globalization;
using System.Text;
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

/// <summary>Changes to counters gathered over a transaction, written with one upsert row per distinct day row and month row.</summary>
public sealed class CounterBatch
{
    private readonly Dictionary<CounterKey, CounterDelta> _days = [];

    public void Add(CounterKey key, CounterDelta delta) => _days[key] = _days.TryGetValue(key, out var d) ? d + delta : delta;

    /// <summary>Adds the upserts to <paramref name="statements"/>, to be sent with the rest of the transaction's writes; the batch is empty afterwards.</summary>
    public async Task AddToAsync(StatementBatch statements, CancellationToken ct)
    {
        var months = new Dictionary<CounterKey, CounterDelta>();
        foreach (var (key, delta) in _days)
        {
            var month = key.ToMonth();
            months[month] = months.TryGetValue(month, out var d) ? d + delta : delta;
        }

        // Always in the same order (day rows, then month rows, each by key), so that two transactions that lock the
        // same counter rows (two server instances on one PostgreSQL database) wait for each other instead of deadlocking.
        await Counters.UpsertAsync(statements, Ordered(_days), Ordered(months), ct);
        _days.Clear();
    }

    private static List<KeyValuePair<CounterKey, CounterDelta>> Ordered(Dictionary<CounterKey, CounterDelta> rows) =>
        [.. rows.OrderBy(r => r.Key.AgencyId).ThenBy(r => r.Key.Day).ThenBy(r => r.Key.ItemId).ThenBy(r => r.Key.StaffId)
            .ThenBy(r => r.Key.Channel, StringComparer.Ordinal)];
}

/// <summary>
/// Adds to counter rows with upserts (the same SQL on SQLite and PostgreSQL), inside the caller's transaction, so a
/// figure and the change it counts commit together. Every change lands in its day row and its month row.
/// </summary>
public static class Counters
{
    internal const string DayTable = "rating_counters";
    internal const string MonthTable = "rating_counters_monthly";
    private const int ParametersPerRow = 16;

    public static string ChannelKey(RatingChannel channel) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(channel.ToString());

    /// <summary>
    /// Adds one change to <paramref name="statements"/>. Give the same batch to the audit log's save: it takes the chain's
    /// head before these rows are sent, the order every writer keeps (head, then counters), so none deadlocks another.
    /// </summary>
    public static Task AddAsync(StatementBatch statements, CounterKey k, CounterDelta d, CancellationToken ct)
    {
        var batch = new CounterBatch();
        batch.Add(k, d);
        return batch.AddToAsync(statements, ct);
    }

    /// <summary>
    /// Adds the upserts of every row to <paramref name="statements"/>: several rows per statement, and on PostgreSQL
    /// every statement of both tables in the caller's one round trip. Keys are distinct within each list (an upsert
    /// cannot touch a row twice).
    /// </summary>
    internal static async Task UpsertAsync(StatementBatch statements, IReadOnlyList<KeyValuePair<CounterKey, CounterDelta>> days,
        IReadOnlyList<KeyValuePair<CounterKey, CounterDelta>> months, CancellationToken ct)
    {
        // SQLite looks parameters up by name one by one, so its statements stay short; PostgreSQL takes big ones.
        var rowsPerStatement = statements.Context.IsPostgres ? 250 : 8;
        var sql = new StringBuilder();
        foreach (var (table, rows) in new[] { (DayTable, days), (MonthTable, months) })
        {
            foreach (var chunk in rows.Chunk(rowsPerStatement))
            {
                var values = new List<object>(chunk.Length * ParametersPerRow);
                AppendUpsert(sql.Clear(), table, chunk.Length);
                foreach (var (k, d) in chunk)
                {
                    values.AddRange([k.AgencyId, k.Day, k.ItemId, k.StaffId, k.Channel, d.Finished, d.FinishedRated, d.Active, d.A1, d.A2, d.A3, d.A4, d.A5, d.Defaults, d.Excluded, d.FollowUps]);
                }

                // The table and column names are the constants here; every value is a parameter.
                await statements.AddAsync(sql.ToString(), values, ct);
            }
        }
    }

    private static void AppendUpsert(StringBuilder sql, string table, int rowCount)
    {
        var period = table == MonthTable ? "Month" : "Day";
        sql.Append(CultureInfo.InvariantCulture, $"""INSERT INTO {table} ("AgencyId", "{period}", "ItemId", "StaffId", "Channel", "Finished", "FinishedRated", "Active", "A1", "A2", "A3", "A4", "A5", "Defaults", "Excluded", "FollowUps") VALUES """);
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < ParametersPerRow; c++)
            {
                sql.Append(c == 0 ? "" : ", ").Append(DirectSql.Placeholder((r * ParametersPerRow) + c));
            }

            sql.Append(')');
        }

        sql.Append(CultureInfo.InvariantCulture, $"""
             ON CONFLICT ("AgencyId", "{period}", "ItemId", "StaffId", "Channel") DO UPDATE SET
              "Finished" = {table}."Finished" + excluded."Finished",
              "FinishedRated" = {table}."FinishedRated" + excluded."FinishedRated",
              "Active" = {table}."Active" + excluded."Active",
              "A1" = {table}."A1" + excluded."A1",
              "A2" = {table}."A2" + excluded."A2",
              "A3" = {table}."A3" + excluded."A3",
              "A4" = {table}."A4" + excluded."A4",
              "A5" = {table}."A5" + excluded."A5",
              "Defaults" = {table}."Defaults" + excluded."Defaults",
              "Excluded" = {table}."Excluded" + excluded."Excluded",
              "FollowUps" = {table}."FollowUps" + excluded."FollowUps"
            """);
    }
}
