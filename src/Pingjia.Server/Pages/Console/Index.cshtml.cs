using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Access;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Pages.Console;

/// <summary>The dashboard of the signed-in user's scope: key figures with their counts, the trend, a ranking, work orders.</summary>
public sealed class IndexModel(StatsReader stats, PingjiaDbContext db, Caller caller, TimeProvider time) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public Period Period { get; private set; } = null!;

    public string ScopeName { get; private set; } = "";

    public StatsResponse? Figures { get; private set; }

    public StatsResponse? Ranking { get; private set; }

    public string RankedBy { get; private set; } = "agency";

    public TrendChart? Trend { get; private set; }

    public IReadOnlyList<(WorkOrderState State, int Count)> Orders { get; private set; } = [];

    public int Overdue { get; private set; }

    public int Warned { get; private set; }

    public bool SeesRatings => caller.Role is not Role.Integration;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Period = Period.Parse(From, To, time);
        ScopeName = await ScopeNameAsync(ct);
        Figures = await stats.ReadAsync(Period.From, Period.To, ct: ct);
        var days = await stats.ReadAsync(Period.From, Period.To, groupBy: Period.To.DayNumber - Period.From.DayNumber > 62 ? "month" : "day", ct: ct);
        Trend = new TrendChart("trend", "评价数与好评率", "", "",
            [.. days.Rows.Select(r => new TrendPoint(r.Keys.Values.First()[5..], r.Figures.Ratings, r.Figures.GoodRate.Value))]);
        RankedBy = caller.AgencyId is not null ? "staff" : "agency";
        Ranking = await stats.ReadAsync(Period.From, Period.To, groupBy: RankedBy, rank: true, ct: ct);

        var agencies = db.VisibleAgencies(caller);
        var orders = db.WorkOrders.AsNoTracking().Where(o => agencies.Any(a => a.Id == o.AgencyId));
        Orders = [.. (await orders.GroupBy(o => o.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .OrderBy(x => x.Key).Select(x => (x.Key, x.Count))];
        Overdue = await orders.CountAsync(o => o.OverdueAt != null && o.State != WorkOrderState.Closed, ct);
        Warned = await orders.CountAsync(o => o.WarnedAt != null && o.OverdueAt == null && o.State != WorkOrderState.Closed, ct);
    }

    private async Task<string> ScopeNameAsync(CancellationToken ct)
    {
        if (caller.RegionId is { } r)
        {
            return await db.Regions.Where(x => x.Id == r).Select(x => x.Name).FirstAsync(ct);
        }

        if (caller.AgencyId is { } a)
        {
            return await db.Agencies.Where(x => x.Id == a).Select(x => x.Name).FirstAsync(ct);
        }

        return "全部地区";
    }
}
