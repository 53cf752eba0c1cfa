using Pingjia.Domain.WorkOrders;

namespace Pingjia.Domain.Tests.WorkOrders;

/// <summary>Due dates worked out by hand on the official 2025 and 2026 holiday notices.</summary>
public sealed class WorkingCalendarTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    // 国办发明电〔2024〕12号 (2025) and the 2026 notice of 2025-11-04, as the shared data file gives them.
    private static readonly HolidayYear Y2025 = new(2025, "国办发明电〔2024〕12号",
        [new("元旦", D("2025-01-01"), D("2025-01-01")), new("春节", D("2025-01-28"), D("2025-02-04")), new("清明节", D("2025-04-04"), D("2025-04-06")),
         new("劳动节", D("2025-05-01"), D("2025-05-05")), new("端午节", D("2025-05-31"), D("2025-06-02")), new("国庆节、中秋节", D("2025-10-01"), D("2025-10-08"))],
        [D("2025-01-26"), D("2025-02-08"), D("2025-04-27"), D("2025-09-28"), D("2025-10-11")]);

    private static readonly HolidayYear Y2026 = new(2026, "国务院办公厅关于2026年部分节假日安排的通知",
        [new("元旦", D("2026-01-01"), D("2026-01-03")), new("春节", D("2026-02-15"), D("2026-02-23")), new("清明节", D("2026-04-04"), D("2026-04-06")),
         new("劳动节", D("2026-05-01"), D("2026-05-05")), new("端午节", D("2026-06-19"), D("2026-06-21")), new("中秋节", D("2026-09-25"), D("2026-09-27")),
         new("国庆节", D("2026-10-01"), D("2026-10-07"))],
        [D("2026-01-04"), D("2026-02-14"), D("2026-02-28"), D("2026-05-09"), D("2026-09-20"), D("2026-10-10")]);

    private static readonly IWorkingCalendar Calendar = WorkingCalendars.Create([Y2025, Y2026], new TimeOnly(18, 0), weekendsOnlyFallback: false);

    /// <summary>A Shanghai local time as UTC.</summary>
    private static DateTime Local(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture).AddHours(-8), DateTimeKind.Utc);

    [Theory]
    // Tue 09-30 10:00; 10-01…10-08 off; Thu 10-09 is day 1.
    [InlineData("2025-09-30 10:00", 1, "2025-10-09 18:00")]
    // Day 1 10-09, 2 10-10, 3 Sat 10-11 (调休上班), 4 10-13, 5 10-14, 6 10-15, 7 10-16, 8 10-17, 9 10-20, 10 10-21.
    [InlineData("2025-09-30 10:00", 10, "2025-10-21 18:00")]
    // Created Sat 09-27 (rest day): counts from Sun 09-28 (调休上班), so day 1 is Mon 09-29.
    [InlineData("2025-09-27 11:00", 1, "2025-09-29 18:00")]
    // Sun 09-28 is a working day: created then, day 1 is Mon 09-29, day 2 Tue 09-30, day 3 Thu 10-09.
    [InlineData("2025-09-28 09:00", 3, "2025-10-09 18:00")]
    public void AddWorkingDays_AroundNationalDay2025_MatchesHandWorkedDates(string created, int days, string due) =>
        Assert.Equal(Local(due), Calendar.AddWorkingDays(Local(created), days).DueUtc);

    [Theory]
    // Fri 02-13 10:00: day 1 is Sat 02-14 (调休上班).
    [InlineData("2026-02-13 10:00", 1, "2026-02-14 18:00")]
    // Day 1 02-14, 02-15…02-23 off, 2 02-24, 3 02-25, 4 02-26, 5 02-27, 6 Sat 02-28 (调休上班), 7 03-02, 8 03-03, 9 03-04, 10 03-05.
    [InlineData("2026-02-13 10:00", 10, "2026-03-05 18:00")]
    // Created on New Year's Eve of the lunar calendar (02-16, a holiday): counts from Tue 02-24, day 1 is 02-25.
    [InlineData("2026-02-16 09:30", 1, "2026-02-25 18:00")]
    public void AddWorkingDays_AcrossSpringFestival2026_MatchesHandWorkedDates(string created, int days, string due) =>
        Assert.Equal(Local(due), Calendar.AddWorkingDays(Local(created), days).DueUtc);

    [Fact]
    public void AddWorkingDays_At1759And1801_DifferByOneWorkingDay()
    {
        // Wed 2026-03-11: before close of business day 1 is Thu 03-12; after it the case counts from Thu, so day 1 is Fri 03-13.
        Assert.Equal(Local("2026-03-12 18:00"), Calendar.AddWorkingDays(Local("2026-03-11 17:59"), 1).DueUtc);
        Assert.Equal(Local("2026-03-13 18:00"), Calendar.AddWorkingDays(Local("2026-03-11 18:01"), 1).DueUtc);
    }

    [Fact]
    public void AddWorkingDays_OnAHoliday_CountsFromTheNextWorkingDay()
    {
        // National Day 2026-10-03: 10-04…10-07 off, Thu 10-08 is the start, day 1 Fri 10-09, day 2 Sat 10-10 (调休上班).
        var deadline = Calendar.AddWorkingDays(Local("2026-10-03 12:00"), 2);
        Assert.Equal(Local("2026-10-10 18:00"), deadline.DueUtc);
        Assert.Equal(D("2026-10-08"), deadline.FirstCountedAfter);
        Assert.Contains(deadline.Skipped, d => d.Date == D("2026-10-05") && d.Kind == DayKind.PublicHoliday && d.Name == "国庆节");
        Assert.Equal([D("2026-10-09"), D("2026-10-10")], deadline.Counted.Select(d => d.Date));
        Assert.Equal(DayKind.AdjustedWorkingDay, deadline.Counted[1].Kind);
        Assert.Contains("国庆节", deadline.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_YearWithoutData_IsAnErrorUnlessFallback()
    {
        var ex = Assert.Throws<DomainException>(() => Calendar.Describe(D("2027-03-01")));
        Assert.Equal("calendar_year_missing", ex.Code);
        var lenient = WorkingCalendars.Create([Y2026], new TimeOnly(18, 0), weekendsOnlyFallback: true);
        Assert.Equal(DayKind.FallbackWorkingDay, lenient.Describe(D("2027-03-01")).Kind);
        Assert.Equal(DayKind.FallbackWeekend, lenient.Describe(D("2027-03-06")).Kind);
    }

    [Fact]
    public void AddWorkingDays_ZeroDays_IsRejected() =>
        Assert.Equal("invalid_working_days", Assert.Throws<DomainException>(() => Calendar.AddWorkingDays(Local("2026-03-11 10:00"), 0)).Code);
}
