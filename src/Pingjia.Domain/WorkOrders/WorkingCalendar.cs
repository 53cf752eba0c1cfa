using System.Globalization;
using Pingjia.Domain.Ratings;

namespace Pingjia.Domain.WorkOrders;

/// <summary>Why a day is or is not a working day.</summary>
public enum DayKind
{
    WorkingDay,
    Weekend,
    PublicHoliday,

    /// <summary>A weekend day worked to make up for a holiday (调休上班).</summary>
    AdjustedWorkingDay,

    /// <summary>A day of a year without holiday data, decided by weekends only (when the deployment allows it).</summary>
    FallbackWorkingDay,
    FallbackWeekend,
}

/// <summary>A named range of days off (inclusive), as the State Council's notice lists them.</summary>
public sealed record HolidayRange(string Name, DateOnly From, DateOnly To);

/// <summary>One year's holidays and adjusted working days, with the notice they come from.</summary>
public sealed record HolidayYear(int Year, string Source, IReadOnlyList<HolidayRange> Off, IReadOnlyList<DateOnly> Workdays);

public sealed record DayInfo(DateOnly Date, bool IsWorkingDay, DayKind Kind, string? Name)
{
    public override string ToString() =>
        $"{Date:yyyy-MM-dd} {Kind switch
        {
            DayKind.WorkingDay => "工作日",
            DayKind.Weekend => "周末",
            DayKind.PublicHoliday => $"法定节假日（{Name}）",
            DayKind.AdjustedWorkingDay => "调休上班",
            DayKind.FallbackWorkingDay => "工作日（无节假日数据，按周末规则）",
            _ => "周末（无节假日数据，按周末规则）",
        }}";
}

/// <summary>
/// A deadline and how it was computed: the start, the day counting began, each working day counted and each day
/// skipped with its reason.
/// </summary>
public sealed record Deadline(
    DateTime StartUtc, DateOnly FirstCountedAfter, string StartRule, int WorkingDays, DateTime DueUtc,
    IReadOnlyList<DayInfo> Counted, IReadOnlyList<DayInfo> Skipped)
{
    public string Explain() =>
        $"起算 {StartUtc + RatingWindow.ShanghaiOffset:yyyy-MM-dd HH:mm}（北京时间）：{StartRule}。"
        + $"计 {WorkingDays} 个工作日：{string.Join("、", Counted.Select(d => d.Date.ToString("MM-dd", CultureInfo.InvariantCulture)))}；"
        + (Skipped.Count == 0 ? "" : $"跳过：{string.Join("；", Skipped.Select(d => d.ToString()))}。")
        + $"截止 {DueUtc + RatingWindow.ShanghaiOffset:yyyy-MM-dd HH:mm}（北京时间）。";
}

/// <summary>The mainland working-day calendar: weekends off, public holidays off, adjusted working days on.</summary>
public interface IWorkingCalendar
{
    DayInfo Describe(DateOnly date);

    /// <summary>
    /// N working days after <paramref name="startUtc"/>: the deadline is close of business of the Nth working day after
    /// the start day. A start after close of business, or on a day off, counts from the next working day.
    /// </summary>
    Deadline AddWorkingDays(DateTime startUtc, int workingDays);
}

public static class WorkingCalendars
{
    /// <summary>
    /// A calendar over the given years. A date in a year without data is an error (<c>calendar_year_missing</c>)
    /// unless <paramref name="weekendsOnlyFallback"/> is set.
    /// </summary>
    public static IWorkingCalendar Create(IEnumerable<HolidayYear> years, TimeOnly closeOfBusiness, bool weekendsOnlyFallback) =>
        new MainlandCalendar(years.ToDictionary(y => y.Year), closeOfBusiness, weekendsOnlyFallback);

    private sealed class MainlandCalendar(IReadOnlyDictionary<int, HolidayYear> years, TimeOnly closeOfBusiness, bool fallback) : IWorkingCalendar
    {
        private const int MaxDays = 3650;

        public DayInfo Describe(DateOnly date)
        {
            var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            if (!years.TryGetValue(date.Year, out var year))
            {
                return fallback
                    ? new DayInfo(date, !weekend, weekend ? DayKind.FallbackWeekend : DayKind.FallbackWorkingDay, null)
                    : throw new DomainException(ErrorKind.Conflict, "calendar_year_missing",
                        $"The working-day calendar has no data for {date.Year}; an administrator must add that year's holidays.");
            }

            if (year.Workdays.Contains(date))
            {
                return new DayInfo(date, true, DayKind.AdjustedWorkingDay, null);
            }

            var holiday = year.Off.FirstOrDefault(h => date >= h.From && date <= h.To);
            if (holiday is not null)
            {
                return new DayInfo(date, false, DayKind.PublicHoliday, holiday.Name);
            }

            return weekend ? new DayInfo(date, false, DayKind.Weekend, null) : new DayInfo(date, true, DayKind.WorkingDay, null);
        }

        public Deadline AddWorkingDays(DateTime startUtc, int workingDays)
        {
            if (workingDays is < 1 or > MaxDays)
            {
                throw DomainException.Invalid("invalid_working_days", $"A deadline is 1 to {MaxDays} working days.", "workingDays");
            }

            var local = startUtc + RatingWindow.ShanghaiOffset;
            var startDay = DateOnly.FromDateTime(local);
            var start = Describe(startDay);
            string rule;
            if (!start.IsWorkingDay)
            {
                rule = $"{start}，非工作日，视为下一个工作日受理";
            }
            else if (TimeOnly.FromDateTime(local) >= closeOfBusiness)
            {
                rule = $"{startDay:yyyy-MM-dd} 下班（{closeOfBusiness:HH\\:mm}）后，视为下一个工作日受理";
            }
            else
            {
                rule = $"{startDay:yyyy-MM-dd} 工作时间内，从次一个工作日起计";
            }

            // Off-hours and days off move the start to the next working day, which then counts as the start day itself.
            var countFrom = startDay;
            var skipped = new List<DayInfo>();
            if (!start.IsWorkingDay || TimeOnly.FromDateTime(local) >= closeOfBusiness)
            {
                countFrom = NextWorkingDay(startDay, skipped);
            }

            var counted = new List<DayInfo>();
            var day = countFrom;
            while (counted.Count < workingDays)
            {
                day = day.AddDays(1);
                var info = Describe(day);
                if (info.IsWorkingDay)
                {
                    counted.Add(info);
                }
                else
                {
                    skipped.Add(info);
                }
            }

            var due = DateTime.SpecifyKind(day.ToDateTime(closeOfBusiness) - RatingWindow.ShanghaiOffset, DateTimeKind.Utc);
            return new Deadline(startUtc, countFrom, rule, workingDays, due, counted, skipped);
        }

        private DateOnly NextWorkingDay(DateOnly from, List<DayInfo> skipped)
        {
            var day = from;
            for (var i = 0; i < MaxDays; i++)
            {
                day = day.AddDays(1);
                var info = Describe(day);
                if (info.IsWorkingDay)
                {
                    return day;
                }

                skipped.Add(info);
            }

            throw new InvalidOperationException("No working day within ten years.");
        }
    }
}
