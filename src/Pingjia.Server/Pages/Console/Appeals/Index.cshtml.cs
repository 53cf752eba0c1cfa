using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Appeals;

/// <summary>
/// Appeals (申诉): the unit files one against a rating of its staff; the supervisor upholds or rejects it. Both go through
/// the API's own handlers (<see cref="AppealsApi"/>), so the period, subject and exclusion rules are the same.
/// </summary>
public sealed class IndexModel(
    PingjiaDbContext db, Caller caller, CatalogService catalog, CalendarStore calendars, PingjiaOptions options, RatingService ratings, AuditLog audit, TimeProvider time)
    : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Rating { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public Data.Ratings.Rating? Target { get; private set; }

    public IReadOnlyList<(Appeal Appeal, string Agency)> Appeals { get; private set; } = [];

    public bool MayFile => caller.Role is Role.AgencyManager or Role.SystemAdmin;

    public bool MayDecide => caller.Role is Role.BureauAdmin or Role.SystemAdmin;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostFileAsync(string? grounds, string? reason, CancellationToken ct)
    {
        await AppealsApi.File(Rating ?? Guid.Empty, new AppealRequest("staff", grounds, reason, null), db, caller, catalog, calendars, options, audit, time, ct);
        return Redirect("/console/appeals?done=filed");
    }

    public async Task<IActionResult> OnPostDecideAsync(Guid id, bool? uphold, string? note, CancellationToken ct)
    {
        await AppealsApi.Decide(id, new AppealDecision(uphold, note), db, caller, catalog, ratings, audit, time, ct);
        return Redirect("/console/appeals?done=decided");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var agencies = db.VisibleAgencies(caller);
        if (Rating is { } id)
        {
            Target = await db.Ratings.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && agencies.Any(a => a.Id == r.AgencyId), ct)
                ?? throw Domain.DomainException.NotFound("Rating");
        }

        var list = await db.Appeals.AsNoTracking().Where(a => agencies.Any(v => v.Id == a.AgencyId))
            .OrderBy(a => a.State != "pending").ThenByDescending(a => a.FiledAt).Take(200)
            .Select(a => new { Appeal = a, Agency = db.Agencies.Where(x => x.Id == a.AgencyId).Select(x => x.Name).First() })
            .ToListAsync(ct);
        Appeals = [.. list.Select(x => (x.Appeal, x.Agency))];
    }
}
