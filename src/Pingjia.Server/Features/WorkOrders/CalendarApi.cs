using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

public sealed record CalendarYearRequest(string? Source, List<HolidayRange>? Off, List<DateOnly>? Workdays);

public sealed record CalendarYearResponse(int Year, int Version, string Source, IReadOnlyList<HolidayRange> Off, IReadOnlyList<DateOnly> Workdays, string CreatedBy, DateTime CreatedAt);

public sealed record DeadlineResponse(DateTime StartUtc, int WorkingDays, DateTime DueUtc, string Explanation, IReadOnlyList<DayInfo> Counted, IReadOnlyList<DayInfo> Skipped);

/// <summary>
/// The working-day calendar as data: the official notices ship as version 1 of each year; a system admin adds a year or
/// corrects a day by putting a new version. The newest version of each year is in force.
/// </summary>
public sealed class CalendarStore(PingjiaOptions options)
{
    private (IWorkingCalendar Calendar, long At)? _cached;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IWorkingCalendar> GetAsync(PingjiaDbContext db, CancellationToken ct)
    {
        if (_cached is { } c && TimeProvider.System.GetElapsedTime(c.At) < TimeSpan.FromSeconds(2))
        {
            return c.Calendar;
        }

        var rows = await db.CalendarYears.AsNoTracking().ToListAsync(ct);
        var years = rows.GroupBy(r => r.Year).Select(g => Parse(g.OrderByDescending(r => r.Version).First()));
        var calendar = WorkingCalendars.Create(years, TimeOnly.ParseExact(options.CloseOfBusiness, "HH:mm", CultureInfo.InvariantCulture), options.CalendarWeekendsOnlyFallback);
        _cached = (calendar, TimeProvider.System.GetTimestamp());
        return calendar;
    }

    public void Invalidate() => _cached = null;

    public static HolidayYear Parse(CalendarYear row)
    {
        var doc = JsonSerializer.Deserialize<CalendarYearRequest>(row.Document, Json)!;
        return new HolidayYear(row.Year, doc.Source ?? "", doc.Off ?? [], doc.Workdays ?? []);
    }

    /// <summary>First start: each year of the embedded official data becomes version 1.</summary>
    public static async Task SeedAsync(PingjiaDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await db.CalendarYears.AnyAsync(ct))
        {
            return;
        }

        await using var stream = typeof(CalendarStore).Assembly.GetManifestResourceStream("Pingjia.Server.cn-public-holidays.json")
            ?? throw new InvalidOperationException("The holiday data is not embedded.");
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        foreach (var year in json.RootElement.GetProperty("years").EnumerateObject())
        {
            var doc = new CalendarYearRequest(
                year.Value.GetProperty("source").GetString(),
                [.. year.Value.GetProperty("off").EnumerateArray().Select(o => new HolidayRange(
                    o.GetProperty("name").GetString()!, DateOnly.Parse(o.GetProperty("from").GetString()!, CultureInfo.InvariantCulture), DateOnly.Parse(o.GetProperty("to").GetString()!, CultureInfo.InvariantCulture)))],
                [.. year.Value.GetProperty("workdays").EnumerateArray().Select(d => DateOnly.Parse(d.GetString()!, CultureInfo.InvariantCulture))]);
            db.CalendarYears.Add(new CalendarYear
            {
                Year = int.Parse(year.Name, CultureInfo.InvariantCulture),
                Version = 1,
                Document = JsonSerializer.Serialize(doc, Json),
                CreatedBy = "system:official-notice",
                CreatedAt = time.UtcNow(),
            });
        }

        await db.SaveChangesAsync(ct);
    }
}

public static class CalendarApi
{
    public static void MapCalendar(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/calendar").WithTags("Work orders: calendar");
        group.MapGet("/years", Years);
        group.MapGet("/years/{year:int}", Year);
        group.MapPut("/years/{year:int}", Put);
        group.MapGet("/deadline", Explain);
    }

    private static CalendarYearResponse ToResponse(CalendarYear row)
    {
        var y = CalendarStore.Parse(row);
        return new CalendarYearResponse(row.Year, row.Version, y.Source, y.Off, y.Workdays, row.CreatedBy, row.CreatedAt);
    }

    internal static async Task<Ok<List<CalendarYearResponse>>> Years(PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var rows = await db.CalendarYears.AsNoTracking().ToListAsync(ct);
        return TypedResults.Ok(rows.GroupBy(r => r.Year).Select(g => ToResponse(g.OrderByDescending(r => r.Version).First())).OrderBy(r => r.Year).ToList());
    }

    private static async Task<Ok<List<CalendarYearResponse>>> Year(int year, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var rows = await db.CalendarYears.AsNoTracking().Where(r => r.Year == year).OrderByDescending(r => r.Version).ToListAsync(ct);
        if (rows.Count == 0)
        {
            throw DomainException.NotFound($"Calendar year {year}");
        }

        return TypedResults.Ok(rows.Select(ToResponse).ToList());
    }

    private static async Task<Ok<CalendarYearResponse>> Put(
        int year, CalendarYearRequest request, PingjiaDbContext db, Caller caller, AuditLog audit, CalendarStore store, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin);
        var v = new Validation()
            .Check(year is >= 2000 and <= 2100, "year", "year is from 2000 to 2100.")
            .Required(request.Source, "source", 300)
            .Check(request.Off is { Count: <= 40 }, "off", "off lists the holiday ranges (at most 40).")
            .Check(request.Workdays is { Count: <= 40 }, "workdays", "workdays lists the adjusted working days (at most 40).");
        foreach (var h in request.Off ?? [])
        {
            v.Check(!string.IsNullOrWhiteSpace(h.Name) && h.Name.Length <= 40, "off", "Each holiday needs a name of at most 40 characters.")
             .Check(h.From.Year == year && h.To.Year == year && h.From <= h.To, "off", $"{h.Name}: from and to lie in {year}, from not after to.");
        }

        foreach (var d in request.Workdays ?? [])
        {
            v.Check(d.Year == year && d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, "workdays", $"{d:yyyy-MM-dd}: an adjusted working day is a weekend day of {year}.")
             .Check(!(request.Off ?? []).Any(h => d >= h.From && d <= h.To), "workdays", $"{d:yyyy-MM-dd} is both a holiday and a working day.");
        }

        v.ThrowIfInvalid();
        var version = (await db.CalendarYears.Where(r => r.Year == year).MaxAsync(r => (int?)r.Version, ct) ?? 0) + 1;
        var row = new CalendarYear { Year = year, Version = version, Document = JsonSerializer.Serialize(request, CalendarStore.Json), CreatedBy = caller.Actor, CreatedAt = time.UtcNow() };
        db.CalendarYears.Add(row);
        audit.Record("calendar.changed", "calendar_year", year.ToString(CultureInfo.InvariantCulture), new { year, version, request.Source, off = request.Off!.Count, workdays = request.Workdays!.Count });
        await audit.SaveAsync(ct);
        store.Invalidate();
        return TypedResults.Ok(ToResponse(row));
    }

    internal static async Task<Ok<DeadlineResponse>> Explain(DateTimeOffset? start, int? days, PingjiaDbContext db, Caller caller, CalendarStore store, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        new Validation().Check(start is not null, "start", "start is required (ISO 8601 with offset).").Check(days is not null, "days", "days is required.").ThrowIfInvalid();
        var calendar = await store.GetAsync(db, ct);
        var d = calendar.AddWorkingDays(start!.Value.UtcDateTime, days!.Value);
        return TypedResults.Ok(new DeadlineResponse(d.StartUtc, d.WorkingDays, d.DueUtc, d.Explain(), d.Counted, d.Skipped));
    }
}
