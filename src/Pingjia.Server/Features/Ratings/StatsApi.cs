using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;

namespace Pingjia.Server.Features.Ratings;

/// <summary>A ranking position by the Wilson lower bound of the good rate; units under the minimum count are flagged and ranked last.</summary>
public sealed record RankInfo(int Position, double WilsonLower, double WilsonUpper, long N, bool BelowMinimum);

public sealed record StatsRow(IReadOnlyDictionary<string, string> Keys, IReadOnlyDictionary<string, string> Labels, RatingFigures Figures, RankInfo? Rank);

public sealed record StatsResponse(
    DateOnly From, DateOnly To, IReadOnlyList<string> GroupBy, string Note, int MinimumN, IReadOnlyList<StatsRow> Rows, RatingFigures Total, HandlingFigures Handling);

/// <summary>
/// Statistics from the counters only (never a scan of ratings), grouped by any of region, agency, item, staff, channel,
/// and month or day. Cases finished are counted on the day rating opened; ratings on the day they were made.
/// </summary>
public static class StatsApi
{
    private static readonly string[] Dimensions = ["region", "agency", "item", "staff", "channel", "month", "day"];

    public static void MapStats(this IEndpointRouteBuilder app) => app.MapGet("/api/v1/stats", Get).WithTags("Ratings: statistics");

    // The statistics query itself; the pages call it directly so that they can never disagree with the API.
    // (A comment, not an XML doc: the endpoint's OpenAPI description comes from XML docs.)
    internal static async Task<Ok<StatsResponse>> Get(
        PingjiaDbContext db, Caller caller, CatalogService catalog, DateOnly? from, DateOnly? to, string? groupBy, string? region, string? agency,
        string? item, string? staff, string? channel, bool? rank, int? minN, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var dims = (groupBy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var v = new Validation()
            .Check(from is not null && to is not null, "from", "from and to (yyyy-MM-dd) are required.")
            .Check(from is null || to is null || (from <= to && to.Value.DayNumber - from.Value.DayNumber <= 3700), "to", "to must not be before from, and a period is at most ten years.")
            .Check(dims.All(Dimensions.Contains), "groupBy", $"groupBy takes any of {string.Join(", ", Dimensions)}.")
            .Check(!(dims.Contains("month") && dims.Contains("day")), "groupBy", "Group by month or by day, not both.")
            .Check(dims.Count <= 3, "groupBy", "At most three dimensions.")
            .Check(minN is null or (>= 1 and <= 1_000_000), "minN", "minN is from 1 to 1000000.")
            .Check(rank != true || dims.Count(d => d is not ("month" or "day")) == 1, "rank", "Ranking needs exactly one unit dimension (region, agency, item, staff or channel).")
            .Check(staff is null || agency is not null, "staff", "staff (employee number) needs agency.");
        v.ThrowIfInvalid();
        var minimum = minN ?? 30;

        // Scope: the caller's region or agency, narrowed by the filters; everything below is done by path.
        var rootPath = caller.RegionPath ?? "";
        if (region is not null)
        {
            rootPath = await db.VisibleRegionPathAsync(caller, region, ct);
        }
        else if (caller.AgencyRegionPath is not null)
        {
            rootPath = caller.AgencyRegionPath;
        }

        var agencyCode = agency;
        if (agency is not null)
        {
            await catalog.RequireVisibleAgencyAsync(agency, ct);
        }
        else if (caller.AgencyId is { } own)
        {
            agencyCode = await db.Agencies.Where(a => a.Id == own).Select(a => a.CreditCode).FirstAsync(ct);
        }

        var sqlDims = dims.Where(d => d != "region").Select(d => d switch
        {
            "agency" => "c.\"AgencyId\"",
            "item" => "c.\"ItemId\"",
            "staff" => "c.\"StaffId\"",
            "channel" => "c.\"Channel\"",
            "month" => MonthDim,
            _ => DayDim,
        }).ToList();
        if (dims.Contains("region") && !dims.Contains("agency"))
        {
            sqlDims.Insert(0, "c.\"AgencyId\"");
        }

        var rows = new List<(object[] Values, CounterTotals Totals)>();
        foreach (var (table, first, last) in Segments(from!.Value, to!.Value, byDay: dims.Contains("day")))
        {
            rows.AddRange(await QueryAsync(db, table, sqlDims, rootPath, agencyCode, item, staff, channel, first, last, ct));
        }

        var labels = await LabelsAsync(db, rows, sqlDims, rootPath, ct);

        // Fold raw groups into the requested keys (region groups are folded from agencies in memory).
        var grouped = new Dictionary<string, (Dictionary<string, string> Keys, Dictionary<string, string> Labels, CounterTotals Totals)>();
        var total = CounterTotals.Zero;
        foreach (var (values, totals) in rows)
        {
            total += totals;
            var keys = new Dictionary<string, string>();
            var names = new Dictionary<string, string>();
            foreach (var d in dims)
            {
                var (key, label) = labels(d, values);
                keys[d] = key;
                names[d] = label;
            }

            var id = string.Join('|', dims.Select(d => keys[d]));
            grouped[id] = grouped.TryGetValue(id, out var g) ? (g.Keys, g.Labels, g.Totals + totals) : (keys, names, totals);
        }

        var result = grouped.Values.Select(g => new StatsRow(g.Keys, g.Labels, RatingFigures.From(g.Totals), null)).ToList();
        if (rank == true)
        {
            result = Rank(result, minimum);
        }
        else
        {
            result = [.. result.OrderBy(r => string.Join('|', dims.Select(d => r.Keys[d])), StringComparer.Ordinal)];
        }

        var handling = await HandlingAsync(db, rootPath, agencyCode, item, from.Value, to.Value, ct);
        return TypedResults.Ok(new StatsResponse(from.Value, to.Value, dims,
            "Cases finished are counted on the day rating opened, ratings on the day they were made (defaults at the close of the window). "
            + "Each figure gives its numerator, denominator and whether default ratings are included; excluded ratings are counted apart.",
            minimum, result, RatingFigures.From(total), HandlingFigures.From(handling)));
    }

    /// <summary>
    /// Handling figures of the work orders of bad ratings made in the period, from the handling counters (one order per
    /// bad rating, counted by the day the rating was made and the order's current agency); excluded ratings are left out.
    /// </summary>
    private static async Task<HandlingTotals> HandlingAsync(PingjiaDbContext db, string rootPath, string? agency, string? item, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (first, last) = (ToDay(from), ToDay(to));
        var path = rootPath.Replace("%", "", StringComparison.Ordinal);
        // "AgencyId IN (the region's agencies)" lets the database walk the counters' (AgencyId, Day) key per agency;
        // a correlated EXISTS per counter row made it scan every region's rows.
        var agencies = db.Agencies.Where(a => a.Region.Path.StartsWith(path) && (agency == null || a.CreditCode == agency)).Select(a => a.Id);
        var counters = db.HandlingCounters.AsNoTracking()
            .Where(h => agencies.Contains(h.AgencyId) && h.Day >= first && h.Day <= last)
            .Where(h => item == null || db.Items.Any(i => i.Id == h.ItemId && i.ItemCode == item));
        var t = await counters.GroupBy(_ => 1).Select(g => new HandlingTotals(
            g.Sum(h => h.BadRatings), g.Sum(h => h.Replied), g.Sum(h => h.Founded), g.Sum(h => h.Rectified), g.Sum(h => h.Answered),
            g.Sum(h => h.Satisfied), g.Sum(h => h.Closed), g.Sum(h => h.ClosedOnTime), g.Sum(h => h.Overdue))).FirstOrDefaultAsync(ct);
        return t ?? HandlingTotals.Zero;
    }

    private const string DayDim = "c.\"Day\"";
    private const string MonthDim = "(c.\"Day\" / 100)";

    /// <summary>
    /// Which counter table covers which part of the period: whole months from the month rows, the days at either end
    /// (or every day, when grouping by day) from the day rows. The month table names its period "Month", aliased "Day"
    /// so that the same query text fits both.
    /// </summary>
    internal static List<(string Table, int First, int Last)> Segments(DateOnly from, DateOnly to, bool byDay)
    {
        if (byDay)
        {
            return [(Counters.DayTable, ToDay(from), ToDay(to))];
        }

        var firstWhole = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        var afterLastWhole = to.AddDays(1).Day == 1 ? to.AddDays(1) : new DateOnly(to.Year, to.Month, 1);
        if (firstWhole >= afterLastWhole)
        {
            return [(Counters.DayTable, ToDay(from), ToDay(to))];
        }

        var segments = new List<(string, int, int)>();
        if (from < firstWhole)
        {
            segments.Add((Counters.DayTable, ToDay(from), ToDay(firstWhole.AddDays(-1))));
        }

        var lastWhole = afterLastWhole.AddMonths(-1);
        segments.Add((Counters.MonthTable, (firstWhole.Year * 100) + firstWhole.Month, (lastWhole.Year * 100) + lastWhole.Month));
        if (afterLastWhole <= to)
        {
            segments.Add((Counters.DayTable, ToDay(afterLastWhole), ToDay(to)));
        }

        return segments;
    }

    private static List<StatsRow> Rank(List<StatsRow> rows, int minimum)
    {
        var scored = rows.Select(r =>
        {
            var good = r.Figures.GoodRate;
            var (lower, upper) = Wilson.Interval(good.Numerator, good.Denominator);
            return (Row: r, Lower: lower, Upper: upper, N: good.Denominator);
        })
        // Units with enough ratings first, by the lower bound; then the small ones, flagged.
        .OrderBy(x => x.N < minimum).ThenByDescending(x => x.Lower).ThenByDescending(x => x.N).ToList();
        return [.. scored.Select((x, i) => x.Row with { Rank = new RankInfo(i + 1, Math.Round(x.Lower, 6), Math.Round(x.Upper, 6), x.N, x.N < minimum) })];
    }

    private static int ToDay(DateOnly d) => (d.Year * 10000) + (d.Month * 100) + d.Day;

    private static async Task<List<(object[] Values, CounterTotals Totals)>> QueryAsync(
        PingjiaDbContext db, string table, List<string> dims, string rootPath, string? agency, string? item, string? staff, string? channel, int from, int to, CancellationToken ct)
    {
        var select = dims.Count == 0 ? "" : string.Join(", ", dims) + ", ";
        var group = dims.Count == 0 ? "" : "GROUP BY " + string.Join(", ", dims);
        // On the month table the period column is the month itself: month dimension = Day, and no day dimension exists.
        var monthly = table == Counters.MonthTable;
        if (monthly)
        {
            select = select.Replace(MonthDim, DayDim, StringComparison.Ordinal);
            group = group.Replace(MonthDim, DayDim, StringComparison.Ordinal);
        }

        var from_ = monthly ? $"(SELECT m.*, m.\"Month\" AS \"Day\" FROM {Counters.MonthTable} m)" : Counters.DayTable;
        var sql = $"""
            SELECT {select}SUM(c."Finished"), SUM(c."FinishedRated"), SUM(c."Active"), SUM(c."A1"), SUM(c."A2"), SUM(c."A3"), SUM(c."A4"), SUM(c."A5"),
                   SUM(c."Defaults"), SUM(c."Excluded"), SUM(c."FollowUps")
            FROM {from_} c
            WHERE c."Day" >= @from AND c."Day" <= @to
              AND c."AgencyId" IN (SELECT a."Id" FROM agencies a JOIN regions r ON r."Id" = a."RegionId"
                                   WHERE r."Path" LIKE @path {(agency is null ? "" : "AND a.\"CreditCode\" = @agency")})
              {(item is null ? "" : "AND c.\"ItemId\" IN (SELECT i.\"Id\" FROM service_items i WHERE i.\"ItemCode\" = @item)")}
              {(staff is null ? "" : "AND c.\"StaffId\" IN (SELECT s.\"Id\" FROM staff s JOIN agencies sa ON sa.\"Id\" = s.\"AgencyId\" WHERE s.\"EmployeeNo\" = @staff AND sa.\"CreditCode\" = @agency)")}
              {(channel is null ? "" : "AND c.\"Channel\" = @channel")}
            {group}
            """;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            Add(command, "from", from);
            Add(command, "to", to);
            Add(command, "path", rootPath.Replace("%", "", StringComparison.Ordinal) + "%");
            if (agency is not null)
            {
                Add(command, "agency", agency);
            }

            if (item is not null)
            {
                Add(command, "item", item);
            }

            if (staff is not null)
            {
                Add(command, "staff", staff);
            }

            if (channel is not null)
            {
                Add(command, "channel", channel);
            }

            var result = new List<(object[], CounterTotals)>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var values = new object[dims.Count];
                for (var i = 0; i < dims.Count; i++)
                {
                    values[i] = dims[i] switch
                    {
                        "c.\"Channel\"" => reader.GetString(i),
                        DayDim or MonthDim => Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture),
                        _ => reader.GetGuid(i),
                    };
                }

                long L(int k) => reader.IsDBNull(dims.Count + k) ? 0 : Convert.ToInt64(reader.GetValue(dims.Count + k), CultureInfo.InvariantCulture);
                result.Add((values, new CounterTotals(L(0), L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10))));
            }

            return result;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    /// <summary>Builds the key and label of each requested dimension from a raw group's values.</summary>
    private static async Task<Func<string, object[], (string Key, string Label)>> LabelsAsync(
        PingjiaDbContext db, List<(object[] Values, CounterTotals Totals)> rows, List<string> sqlDims, string rootPath, CancellationToken ct)
    {
        int Index(string sql) => sqlDims.IndexOf(sql);
        var agencyIdx = Index("c.\"AgencyId\"");
        var itemIdx = Index("c.\"ItemId\"");
        var staffIdx = Index("c.\"StaffId\"");
        var agencyIds = agencyIdx < 0 ? [] : rows.Select(r => (Guid)r.Values[agencyIdx]).Distinct().ToList();
        var itemIds = itemIdx < 0 ? [] : rows.Select(r => (Guid)r.Values[itemIdx]).Distinct().ToList();
        var staffIds = staffIdx < 0 ? [] : rows.Select(r => (Guid)r.Values[staffIdx]).Distinct().ToList();
        var agencies = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id))
            .Select(a => new { a.Id, a.CreditCode, a.Name, a.Region.Path }).ToDictionaryAsync(a => a.Id, ct);
        var items = await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id)).Select(i => new { i.Id, i.ItemCode, i.Name }).ToDictionaryAsync(i => i.Id, ct);
        var staff = await db.Staff.AsNoTracking().Where(s => staffIds.Contains(s.Id))
            .Select(s => new { s.Id, s.EmployeeNo, s.Name, Agency = s.Agency.CreditCode }).ToDictionaryAsync(s => s.Id, ct);

        // Regions group at the level just below the root: the next code on each agency's path.
        var depth = rootPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        var regionCodes = agencies.Values.Select(a => ChildCode(a.Path, depth)).Distinct().ToList();
        var regionNames = await db.Regions.AsNoTracking().Where(r => regionCodes.Contains(r.Code)).ToDictionaryAsync(r => r.Code, r => r.Name, ct);

        return (dim, values) => dim switch
        {
            "agency" => agencies.TryGetValue((Guid)values[agencyIdx], out var a) ? (a.CreditCode, a.Name) : ("?", "?"),
            "region" => agencies.TryGetValue((Guid)values[agencyIdx], out var a2)
                ? (ChildCode(a2.Path, depth), regionNames.GetValueOrDefault(ChildCode(a2.Path, depth), "?")) : ("?", "?"),
            "item" => items.TryGetValue((Guid)values[itemIdx], out var i) ? (i.ItemCode, i.Name) : ("?", "?"),
            "staff" => (Guid)values[staffIdx] == Guid.Empty ? ("", "（未指定）")
                : staff.TryGetValue((Guid)values[staffIdx], out var s) ? ($"{s.Agency}/{s.EmployeeNo}", s.Name) : ("?", "?"),
            "channel" => ((string)values[Index("c.\"Channel\"")], (string)values[Index("c.\"Channel\"")] == "" ? "（办件）" : (string)values[Index("c.\"Channel\"")]),
            "month" => Month((int)values[Index("(c.\"Day\" / 100)")]),
            _ => DayLabel((int)values[Index("c.\"Day\"")]),
        };

        static (string, string) Month(int m) { var s = $"{m / 100:0000}-{m % 100:00}"; return (s, s); }
        static (string, string) DayLabel(int d) { var s = $"{d / 10000:0000}-{d / 100 % 100:00}-{d % 100:00}"; return (s, s); }
    }

    private static string ChildCode(string path, int depth)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > depth ? parts[depth] : parts[^1];
    }
}
