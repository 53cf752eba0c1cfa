using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Kiosk;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Kiosk;

public sealed record CurrentCaseRequest(string? CaseNo);

public sealed record CurrentCaseResponse(Guid WindowId, string CaseNo, DateTime SetAt);

/// <summary>
/// The hall rating device (评价器) of a window: when a case is finished at the window, the business system (or the
/// staff's console) names it here, and the device page <c>/kiosk/{windowId}</c> offers it for rating.
/// </summary>
public static class KioskApi
{
    /// <summary>How long a named case stays on the device if nobody rates it (then the device is idle again).</summary>
    public static readonly TimeSpan ShownFor = TimeSpan.FromMinutes(15);

    public static void MapKiosk(this IEndpointRouteBuilder app) =>
        app.MapPut("/api/v1/windows/{windowId:guid}/current-case", SetCurrent).WithTags("Kiosk");

    private static async Task<Ok<CurrentCaseResponse>> SetCurrent(
        Guid windowId, CurrentCaseRequest request, PingjiaDbContext db, Caller caller, CaseLookup cases, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin, Role.AgencyManager, Role.Staff, Role.Integration);
        new Validation().Required(request.CaseNo, "caseNo", 64).ThrowIfInvalid();
        var window = await db.Windows.AsNoTracking()
            .FirstOrDefaultAsync(w => w.Id == windowId && w.IsActive && db.VisibleAgencies(caller).Any(a => a.Id == w.AgencyId), ct)
            ?? throw DomainException.NotFound("Window");
        var c = await cases.FindVisibleAsync(db, caller, request.CaseNo!, ct);
        if (c.AgencyId != window.AgencyId)
        {
            throw DomainException.Conflict("case_of_other_agency", "A window's device offers only cases of the window's own agency.");
        }

        var now = time.UtcNow();
        var row = await db.WindowCurrentCases.FirstOrDefaultAsync(x => x.WindowId == windowId, ct);
        if (row is null)
        {
            row = new WindowCurrentCase { WindowId = windowId, CaseId = c.Id, SetAt = now, SetBy = caller.Actor };
            db.WindowCurrentCases.Add(row);
        }
        else
        {
            row.CaseId = c.Id;
            row.SetAt = now;
            row.SetBy = caller.Actor;
        }

        audit.Record("kiosk.case_shown", "window", windowId.ToString(), new { c.CaseNo });
        await audit.SaveAsync(ct);
        return TypedResults.Ok(new CurrentCaseResponse(windowId, c.CaseNo, now));
    }
}
