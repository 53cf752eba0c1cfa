using System.Globalization;
using System.Text;
using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Pages.Public;

/// <summary>The public figures as open data: the API's JSON shape, or CSV with every count beside every rate.</summary>
public static class OpenData
{
    public static string Csv(StatsResponse stats)
    {
        var dims = stats.GroupBy;
        var b = new StringBuilder();
        b.AppendLine(string.Join(',', dims.SelectMany(d => new[] { d, d + "_name" }).Concat(
        [
            "rank", "below_minimum", "cases_finished", "ratings", "active_ratings", "default_ratings", "excluded_ratings",
            "good", "good_rate", "bad", "bad_rate", "satisfied", "satisfaction_rate", "wilson_lower",
        ])));
        foreach (var row in stats.Rows)
        {
            var f = row.Figures;
            var cells = dims.SelectMany(d => new[] { row.Keys[d], row.Labels[d] }).Concat(
            [
                row.Rank?.Position.ToString(CultureInfo.InvariantCulture) ?? "",
                row.Rank is null ? "" : row.Rank.BelowMinimum ? "true" : "false",
                N(f.CasesFinished), N(f.Ratings), N(f.ActiveRatings), N(f.DefaultRatings), N(f.ExcludedRatings),
                N(f.GoodRate.Numerator), D(f.GoodRate.Value), N(f.BadRate.Numerator), D(f.BadRate.Value),
                N(f.SatisfactionRate.Numerator), D(f.SatisfactionRate.Value),
                row.Rank is null ? "" : row.Rank.WilsonLower.ToString("0.######", CultureInfo.InvariantCulture),
            ]);
            b.AppendLine(string.Join(',', cells.Select(Cell)));
        }

        return b.ToString();
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string D(decimal? d) => d?.ToString("0.######", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Quotes a cell; a leading = + - @ is neutralised so that spreadsheets never run it as a formula.</summary>
    private static string Cell(string s)
    {
        if (s.Length > 0 && "=+-@".Contains(s[0], StringComparison.Ordinal) && !decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            s = "'" + s;
        }

        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
