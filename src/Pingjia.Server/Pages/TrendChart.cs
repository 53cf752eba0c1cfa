namespace Pingjia.Server.Pages;

/// <summary>A server-drawn SVG chart: bars for the count, a line for the rate (no chart library, no script).</summary>
public sealed record TrendChart(string Id, string Title, string Description, string Legend, IReadOnlyList<TrendPoint> Points);

public sealed record TrendPoint(string Label, long Count, decimal? Rate);
