using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Tests.Features.Ratings;

/// <summary>Which counter rows a period reads: whole months from the month rows, the days at the ends from the day rows.</summary>
public sealed class StatsSegmentsTests
{
    private static List<(string, int, int)> Of(string from, string to, bool byDay = false) =>
        StatsApi.Segments(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), byDay);

    [Fact]
    public void Segments_WholeYear_ReadsTwelveMonthRowsOnly() =>
        Assert.Equal([("rating_counters_monthly", 202501, 202512)], Of("2025-01-01", "2025-12-31"));

    [Fact]
    public void Segments_PartialEnds_ReadDaysAtBothEnds() =>
        Assert.Equal(
            [("rating_counters", 20251125, 20251130), ("rating_counters_monthly", 202512, 202601), ("rating_counters", 20260201, 20260203)],
            Of("2025-11-25", "2026-02-03"));

    [Fact]
    public void Segments_WithinOneMonth_ReadsDaysOnly() =>
        Assert.Equal([("rating_counters", 20251102, 20251129)], Of("2025-11-02", "2025-11-29"));

    [Fact]
    public void Segments_LeapFebruaryWhole_ReadsTheMonthRow() =>
        Assert.Equal([("rating_counters", 20240131, 20240131), ("rating_counters_monthly", 202402, 202402)], Of("2024-01-31", "2024-02-29"));

    [Fact]
    public void Segments_GroupedByDay_ReadsDaysOnly() =>
        Assert.Equal([("rating_counters", 20250101, 20251231)], Of("2025-01-01", "2025-12-31", byDay: true));
}
