namespace Pingjia.Server.Pages;

/// <summary>A period of days chosen on a page (Beijing calendar), defaulting to the last 30 days.</summary>
public sealed record Period(DateOnly From, DateOnly To)
{
    public static Period Parse(string? from, string? to, TimeProvider time, int defaultDays = 30)
    {
        var today = StatsReader.Today(time);
        var f = DateOnly.TryParse(from, System.Globalization.CultureInfo.InvariantCulture, out var a) ? a : today.AddDays(1 - defaultDays);
        var t = DateOnly.TryParse(to, System.Globalization.CultureInfo.InvariantCulture, out var b) ? b : today;
        // A period typed backwards is meant forwards; one longer than the statistics allow (ten years) is cut to that.
        if (t < f)
        {
            (f, t) = (t, f);
        }

        return new Period(t.DayNumber - f.DayNumber > 3650 ? t.AddDays(-3650) : f, t);
    }

    public string FromText => From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public string ToText => To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
