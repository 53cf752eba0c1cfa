using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.WorkOrders;

public sealed record InboxRow(string No, string CaseNo, string Agency, WorkOrderState State, int Round, DateTime CreatedAt,
    DateTime? ContactDueAt, DateTime? ReplyDueAt, bool Warned, bool Overdue, bool Escalated, bool RequestPending);

/// <summary>The work-order inbox of the caller's scope, soonest deadline first, with warnings and overdue flags.</summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public WorkOrderState? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool? Overdue { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Page<InboxRow> Orders { get; private set; } = new([], 0, 1, 50);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var agencies = db.VisibleAgencies(caller);
        var query = db.WorkOrders.AsNoTracking().Where(o => agencies.Any(a => a.Id == o.AgencyId));
        if (State is { } state)
        {
            query = query.Where(o => o.State == state);
        }

        if (Overdue == true)
        {
            query = query.Where(o => o.OverdueAt != null && o.State != WorkOrderState.Closed);
        }

        // Open orders first, then by the reply deadline.
        Orders = await query.OrderBy(o => o.State == WorkOrderState.Closed).ThenBy(o => o.ReplyDueAt).ThenBy(o => o.No).ToPageAsync(PageNumber, 50, q => q.Select(o => new InboxRow(
            o.No, o.CaseNo, db.Agencies.Where(a => a.Id == o.AgencyId).Select(a => a.Name).First(), o.State, o.Round, o.CreatedAt,
            o.ContactDueAt, o.ReplyDueAt, o.WarnedAt != null, o.OverdueAt != null, o.EscalatedAt != null,
            o.PendingRerouteAgencyId != null || o.PendingExtensionDays != null)), ct);
    }
}
