using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

public sealed record WorkOrderEventResponse(string Action, string Actor, DateTime At, JsonElement Data);

public sealed record WorkOrderResponse(
    Guid Id, string No, string CaseNo, Guid RatingId, string AgencyCreditCode, WorkOrderState State, int Round, Verification? Verification,
    HandlingSatisfaction? Satisfaction, DateTime CreatedAt, DateTime? ContactDueAt, DateTime? ReplyDueAt, int ExtendedDays, DateTime? ContactedAt,
    DateTime? RepliedAt, DateTime? ClosedAt, bool? ClosedOnTime, bool Warned, bool Overdue, bool Escalated, bool ReroutePending, int? ExtensionPending,
    IReadOnlyList<WorkOrderAction> AllowedActions, IReadOnlyList<WorkOrderEventResponse>? Events);

public sealed record NotificationResponse(Guid Id, string Audience, string AgencyCreditCode, string? WorkOrderNo, string Kind, string Message, DateTime CreatedAt);

/// <summary>The work-order inbox and every step of an order: one POST per action, named as in the domain.</summary>
public static class WorkOrdersApi
{
    public static void MapWorkOrders(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/work-orders").WithTags("Work orders");
        group.MapGet("/", List);
        group.MapGet("/{no}", Get);
        foreach (var action in Enum.GetValues<WorkOrderAction>())
        {
            group.MapPost($"/{{no}}/{WorkOrderService.ToWire(action).Replace('_', '-')}",
                (string no, WorkOrderActionRequest request, PingjiaDbContext db, Caller caller, WorkOrderService service, CancellationToken ct) =>
                    Act(no, action, request, db, caller, service, ct));
        }

        app.MapGet("/api/v1/notifications", Notifications).WithTags("Work orders");
    }

    private static async Task<Ok<WorkOrderResponse>> Act(string no, WorkOrderAction action, WorkOrderActionRequest request, PingjiaDbContext db, Caller caller, WorkOrderService service, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.No == no, ct) ?? throw DomainException.NotFound($"Work order {no}");
        await service.ActAsync(order, action, request, caller, ct);
        return TypedResults.Ok(await ToResponseAsync(db, order, withEvents: true, ct));
    }

    private static async Task<Ok<Page<WorkOrderResponse>>> List(
        PingjiaDbContext db, Caller caller, WorkOrderState? state, string? agency, bool? overdue, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var agencies = db.VisibleAgencies(caller);
        if (agency is not null)
        {
            agencies = agencies.Where(a => a.CreditCode == agency);
        }

        var query = db.WorkOrders.AsNoTracking().Where(o => agencies.Any(a => a.Id == o.AgencyId));
        if (state is not null)
        {
            query = query.Where(o => o.State == state);
        }

        if (overdue is not null)
        {
            query = overdue.Value ? query.Where(o => o.OverdueAt != null && o.State != WorkOrderState.Closed) : query.Where(o => o.OverdueAt == null);
        }

        var result = await query.OrderBy(o => o.ReplyDueAt).ToPageAsync(page, pageSize, x => x, ct);
        var items = new List<WorkOrderResponse>();
        foreach (var o in result.Items)
        {
            items.Add(await ToResponseAsync(db, o, withEvents: false, ct));
        }

        return TypedResults.Ok(new Page<WorkOrderResponse>(items, result.Total, result.PageNumber, result.PageSize));
    }

    private static async Task<Ok<WorkOrderResponse>> Get(string no, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var order = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.No == no && db.VisibleAgencies(caller).Any(a => a.Id == o.AgencyId), ct)
            ?? throw DomainException.NotFound($"Work order {no}");
        return TypedResults.Ok(await ToResponseAsync(db, order, withEvents: true, ct));
    }

    internal static async Task<WorkOrderResponse> ToResponseAsync(PingjiaDbContext db, WorkOrder o, bool withEvents, CancellationToken ct)
    {
        var agency = await db.Agencies.Where(a => a.Id == o.AgencyId).Select(a => a.CreditCode).FirstAsync(ct);
        List<WorkOrderEventResponse>? events = null;
        if (withEvents)
        {
            var rows = await db.WorkOrderEvents.AsNoTracking().Where(e => e.WorkOrderId == o.Id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
            events = [.. rows.Select(e => new WorkOrderEventResponse(e.Action, e.Actor, e.At, JsonDocument.Parse(e.Data).RootElement.Clone()))];
        }

        return new WorkOrderResponse(o.Id, o.No, o.CaseNo, o.RatingId, agency, o.State, o.Round, o.Verification, o.Satisfaction, o.CreatedAt,
            o.ContactDueAt, o.ReplyDueAt, o.ExtendedDays, o.ContactedAt, o.RepliedAt, o.ClosedAt, o.ClosedOnTime, o.WarnedAt is not null,
            o.OverdueAt is not null, o.EscalatedAt is not null, o.PendingRerouteAgencyId is not null, o.PendingExtensionDays,
            WorkOrderRules.Allowed(o.State, o.Verification), events);
    }

    private static async Task<Ok<Page<NotificationResponse>>> Notifications(PingjiaDbContext db, Caller caller, string? audience, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var agencies = db.VisibleAgencies(caller);
        var query = db.Notifications.AsNoTracking().Where(n => agencies.Any(a => a.Id == n.AgencyId));
        if (audience is not null)
        {
            query = query.Where(n => n.Audience == audience);
        }

        return TypedResults.Ok(await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).ToPageAsync(page, pageSize,
            q => q.Select(n => new NotificationResponse(n.Id, n.Audience, db.Agencies.Where(a => a.Id == n.AgencyId).Select(a => a.CreditCode).First(),
                db.WorkOrders.Where(w => w.Id == n.WorkOrderId).Select(w => w.No).FirstOrDefault(), n.Kind, n.Message, n.CreatedAt)), ct));
    }
}
