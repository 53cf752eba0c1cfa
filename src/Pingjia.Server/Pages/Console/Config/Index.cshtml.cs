using Microsoft.AspNetCore.Mvc;
using Pingjia.Data;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Config;

/// <summary>
/// The configuration in force: rating configuration (current version: window, reminder, tag policy, indicators, tags),
/// work-order deadlines, the working-day calendar, and a deadline explainer. Changes are made through the API
/// (<c>PUT /api/v1/rating-config</c>, <c>PUT /api/v1/calendar/years/{year}</c>), which versions them.
/// </summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller, RatingConfigCache configs, CalendarStore calendars, PingjiaOptions options) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Start { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Days { get; set; }

    public int Version { get; private set; }

    public RatingConfigDocument Rating { get; private set; } = null!;

    public PingjiaOptions Options => options;

    public IReadOnlyList<CalendarYearResponse> Years { get; private set; } = [];

    public DeadlineResponse? Deadline { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Start is not null && Days is not null && DateOnly.TryParse(Start, System.Globalization.CultureInfo.InvariantCulture, out var day))
        {
            // A start date means 09:00 Beijing time on that day.
            var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8));
            Deadline = (await CalendarApi.Explain(start, Days, db, caller, calendars, ct)).Value;
        }
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        (Version, Rating) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        Years = (await CalendarApi.Years(db, caller, ct)).Value!;
    }
}
