using System.Globalization;
using Pingjia.Domain.Ratings;

namespace Pingjia.Server.Pages;

/// <summary>How pages write times and figures: Beijing time, and every rate with its numerator and denominator.</summary>
public static class Format
{
    public static string Time(DateTime? utc) =>
        utc is null ? "—" : (DateTime.SpecifyKind(utc.Value, DateTimeKind.Utc) + RatingWindow.ShanghaiOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Date(DateTime? utc) =>
        utc is null ? "—" : (DateTime.SpecifyKind(utc.Value, DateTimeKind.Utc) + RatingWindow.ShanghaiOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>0.952381 → 95.24%; no denominator → —.</summary>
    public static string Percent(decimal? value) =>
        value is null ? "—" : (value.Value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Percent(Figure f) => Percent(f.Value);

    public static string Counts(Figure f) =>
        f.Numerator.ToString(CultureInfo.InvariantCulture) + "/" + f.Denominator.ToString(CultureInfo.InvariantCulture);

    public static string Number(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Average(Figure f) =>
        f.Value is null ? "—" : f.Value.Value.ToString("0.00", CultureInfo.InvariantCulture);
}
