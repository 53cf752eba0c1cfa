using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

/// <summary>What an action records; each action uses the fields it needs and validates them.</summary>
public sealed record WorkOrderActionRequest(
    string? Note, DateTimeOffset? ContactedAt, string? Method, string? Summary, Verification? Outcome, string? Measures,
    List<string>? Evidence, string? Explanation, string? Reason, HandlingSatisfaction? Satisfaction, string? TargetAgencyCreditCode,
    int? WorkingDays, bool? Approve);

/// <summary>
/// Creates a work order for each bad rating (inside the rating's transaction) and carries out every step of it:
/// state machine from the domain, role and scope checks, deadlines on the working-day calendar, events, notifications, audit.
/// </summary>
public sealed class WorkOrderService(
    PingjiaDbContext db, AuditLog audit, CalendarStore calendars, PingjiaOptions options, ISmsGateway sms, PersonalData personal, RatingLinks links, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Called by the rating service for a bad rating, in its transaction: the order and the rating commit together.</summary>
    public async Task CreateForRatingAsync(Rating rating, Case c, CancellationToken ct)
    {
        var now = rating.CreatedAt;
        var order = new WorkOrder
        {
            Id = time.NewId(),
            // 48 random bits of a UUIDv7 per day: a collision stays negligible even at a province's daily volume.
            No = $"GD{RatingWindowDay(now)}{Guid.CreateVersion7(time.GetUtcNow()).ToString("N")[^12..].ToUpperInvariant()}",
            RatingId = rating.Id,
            CaseId = c.Id,
            CaseNo = c.CaseNo,
            AgencyId = c.AgencyId,
            ItemId = c.ItemId,
            State = WorkOrderState.Created,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WorkOrders.Add(order);
        // Without a calendar for the year the order still exists, without deadlines, and the supervisor is told.
        await SetDeadlinesAsync(order, now, ct);
        AddEvent(order, "created", "system:ratings", new { rating.Level, rating.Tags, order.ContactDueAt, order.ReplyDueAt });
        Notify(order, "unit", "created", $"差评工单 {order.No}（办件 {c.CaseNo}）已生成，请在 {Local(order.ContactDueAt)} 前回访，{Local(order.ReplyDueAt)} 前答复。");
        Notify(order, "supervisor", "created", $"差评工单 {order.No} 待转办。");
        var mobile = personal.Decrypt(c.MobileEnc);
        if (mobile is not null)
        {
            sms.Send(db, c.Id, "work_order_created", mobile, $"【政务服务好差评】您对办件 {c.CaseNo} 的评价已转相关单位处理（工单号 {order.No}），我们将尽快与您联系。");
        }

        audit.Record("work_order.created", "work_order", order.No, new { order.CaseNo, ratingId = rating.Id, order.ContactDueAt, order.ReplyDueAt });
    }

    /// <summary>One step on an order, by a caller in the right role and scope; an illegal step is a 409.</summary>
    public async Task<WorkOrder> ActAsync(WorkOrder order, WorkOrderAction action, WorkOrderActionRequest r, Caller caller, CancellationToken ct)
    {
        await RequireMayActAsync(order, action, caller, ct);
        var now = time.UtcNow();
        var next = WorkOrderRules.Next(order.State, action, order.Round, action == WorkOrderAction.Rectify ? order.Verification : r.Outcome, r.Satisfaction);
        object data;
        switch (action)
        {
            case WorkOrderAction.Dispatch:
                new Validation().Optional(r.Note, "note", 500).ThrowIfInvalid();
                data = new { r.Note };
                Notify(order, "unit", "dispatched", $"差评工单 {order.No} 已转办至本单位。");
                break;
            case WorkOrderAction.Contact:
                new Validation()
                    .Check(r.Method is "phone" or "sms" or "visit" or "other", "method", "method is phone, sms, visit or other.")
                    .Required(r.Summary, "summary", 1000)
                    .Check(r.ContactedAt is null || r.ContactedAt.Value.UtcDateTime <= now.AddMinutes(5), "contactedAt", "contactedAt cannot be in the future.")
                    .ThrowIfInvalid();
                order.ContactedAt ??= r.ContactedAt?.UtcDateTime ?? now;
                data = new { contactedAt = r.ContactedAt?.UtcDateTime ?? now, r.Method, r.Summary };
                break;
            case WorkOrderAction.Verify:
                new Validation().Check(r.Outcome is not null, "outcome", "outcome is founded, partly_founded, unfounded or malicious.").Optional(r.Note, "note", 1000).ThrowIfInvalid();
                order.Verification = r.Outcome;
                data = new { r.Outcome, r.Note };
                break;
            case WorkOrderAction.Rectify:
                new Validation().Required(r.Measures, "measures", 2000).Check(r.Evidence is null or { Count: <= 20 }, "evidence", "At most 20 evidence references.").ThrowIfInvalid();
                order.RepliedAt ??= now;
                order.Rectified = true;
                data = new { r.Measures, r.Evidence };
                break;
            case WorkOrderAction.Explain:
                new Validation().Required(r.Explanation, "explanation", 2000).ThrowIfInvalid();
                order.RepliedAt ??= now;
                data = new { r.Explanation };
                break;
            case WorkOrderAction.Approve:
                order.ClosedAt = now;
                order.ClosedOnTime = order.ReplyDueAt is { } due && (order.RepliedAt ?? now) <= due;
                data = new { r.Note, order.ClosedOnTime };
                Notify(order, "unit", "closed", $"差评工单 {order.No} 已审核办结。");
                Notify(order, "supervisor", "closed", $"差评工单 {order.No} 已办结（{(order.ClosedOnTime == true ? "按时" : "超期")}）。");
                var step = await db.Ratings.Where(x => x.Id == order.RatingId).Select(x => new { x.Step, x.RaterIndex }).FirstAsync(ct);
                var token = links.Create(new RatingLink(order.CaseId, step.Step, Domain.Ratings.RatingChannel.Sms, RatingLinks.AfterRatingExpiry(null, now), step.RaterIndex));
                await TellRaterAsync(order, "work_order_closed",
                    $"【政务服务好差评】您的差评工单 {order.No} 已办结，请对处理结果进行评价（满意/基本满意/不满意）：{options.PublicBaseUrl.TrimEnd('/')}/r/{token}", ct);
                break;
            case WorkOrderAction.SendBack:
                new Validation().Required(r.Reason, "reason", 1000).ThrowIfInvalid();
                data = new { r.Reason };
                Notify(order, "unit", "sent_back", $"差评工单 {order.No} 被退回：{r.Reason}");
                break;
            case WorkOrderAction.RecordSatisfaction:
                new Validation().Check(r.Satisfaction is not null, "satisfaction", "satisfaction is satisfied, basically_satisfied or dissatisfied.").ThrowIfInvalid();
                order.Satisfaction = r.Satisfaction;
                data = new { r.Satisfaction, reopened = next == WorkOrderState.Dispatched };
                if (next == WorkOrderState.Dispatched)
                {
                    // 不满意 reopens the order once: a second round with fresh deadlines.
                    order.Round++;
                    order.ClosedAt = null;
                    order.ClosedOnTime = null;
                    order.RepliedAt = null;
                    order.WarnedAt = order.OverdueAt = order.EscalatedAt = null;
                    await SetDeadlinesAsync(order, now, ct);
                    Notify(order, "unit", "reopened", $"评价人对差评工单 {order.No} 的处理不满意，工单重新办理（第 {order.Round} 轮）。");
                    Notify(order, "supervisor", "reopened", $"差评工单 {order.No} 因评价人不满意进入第 {order.Round} 轮。");
                }

                break;
            case WorkOrderAction.RequestReroute:
                new Validation().Required(r.TargetAgencyCreditCode, "targetAgencyCreditCode", 18).Required(r.Reason, "reason", 1000).ThrowIfInvalid();
                order.PendingRerouteAgencyId = await db.Agencies.Where(a => a.CreditCode == r.TargetAgencyCreditCode && a.IsActive).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct)
                    ?? throw new DomainException(ErrorKind.NotFound, "agency_not_found", $"Agency {r.TargetAgencyCreditCode} was not found.");
                data = new { r.TargetAgencyCreditCode, r.Reason };
                Notify(order, "supervisor", "reroute_requested", $"单位申请将差评工单 {order.No} 改派：{r.Reason}");
                break;
            case WorkOrderAction.DecideReroute:
                new Validation().Check(r.Approve is not null, "approve", "approve is true or false.").ThrowIfInvalid();
                var target = order.PendingRerouteAgencyId ?? throw DomainException.Conflict("no_pending_request", "There is no re-route request to decide.");
                order.PendingRerouteAgencyId = null;
                if (r.Approve == true)
                {
                    order.AgencyId = target;
                    next = WorkOrderState.Dispatched;
                    Notify(order, "unit", "rerouted", $"差评工单 {order.No} 已改派至本单位。");
                }

                data = new { r.Approve, r.Note, target };
                break;
            case WorkOrderAction.RequestExtension:
                new Validation().Check(r.WorkingDays is >= 1 and <= 15, "workingDays", "An extension is 1 to 15 working days.").Required(r.Reason, "reason", 1000).ThrowIfInvalid();
                order.PendingExtensionDays = r.WorkingDays;
                data = new { r.WorkingDays, r.Reason };
                Notify(order, "supervisor", "extension_requested", $"单位申请延长差评工单 {order.No} 办理期限 {r.WorkingDays} 个工作日：{r.Reason}");
                break;
            default: // DecideExtension
                new Validation().Check(r.Approve is not null, "approve", "approve is true or false.").ThrowIfInvalid();
                var days = order.PendingExtensionDays ?? throw DomainException.Conflict("no_pending_request", "There is no extension request to decide.");
                order.PendingExtensionDays = null;
                if (r.Approve == true && order.ReplyDueAt is { } oldDue)
                {
                    var calendar = await calendars.GetAsync(db, ct);
                    order.ReplyDueAt = calendar.AddWorkingDays(oldDue, days).DueUtc;
                    order.ExtendedDays += days;
                    order.WarnedAt = order.OverdueAt = order.EscalatedAt = null;
                }

                data = new { r.Approve, r.Note, days, order.ReplyDueAt };
                break;
        }

        order.State = next;
        order.UpdatedAt = now;
        order.Version++;
        AddEvent(order, ToWire(action), caller.Actor, data);
        audit.Record($"work_order.{ToWire(action)}", "work_order", order.No, new { state = next.ToString(), order.Round });
        await audit.SaveAsync(ct);
        return order;
    }

    /// <summary>The actor name of a rater answering through the personal link of the rated case.</summary>
    public const string RaterByLink = "rater:link";

    /// <summary>Unit steps by the handling agency's manager; supervisor steps by a bureau admin whose region covers the agency.</summary>
    private async Task RequireMayActAsync(WorkOrder order, WorkOrderAction action, Caller caller, CancellationToken ct)
    {
        if (caller.Actor == RaterByLink && caller.Role is null)
        {
            // The rating link already proved who this is; raters may only give their view of the handling.
            if (action != WorkOrderAction.RecordSatisfaction)
            {
                throw new DomainException(ErrorKind.Forbidden, "forbidden", "A rater may only state satisfaction with the handling.");
            }

            return;
        }

        var path = await db.Agencies.Where(a => a.Id == order.AgencyId).Select(a => a.Region.Path).FirstAsync(ct);
        if (!caller.SeesAgency(order.AgencyId, path))
        {
            throw DomainException.NotFound($"Work order {order.No}");
        }

        var allowed = WorkOrderRules.ActorOf(action) switch
        {
            WorkOrderActor.Unit => caller.Role is Role.AgencyManager or Role.SystemAdmin,
            // The rater's answer is recorded by the supervisor's call-back (回访) or arrives through the rater's link.
            _ => caller.Role is Role.BureauAdmin or Role.SystemAdmin,
        };
        if (!allowed)
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", $"The role {Roles.ToWire(caller.Role!.Value)} may not {ToWire(action)} a work order.");
        }
    }

    private async Task SetDeadlinesAsync(WorkOrder order, DateTime from, CancellationToken ct)
    {
        try
        {
            var calendar = await calendars.GetAsync(db, ct);
            order.ContactDueAt = calendar.AddWorkingDays(from, options.ContactWorkingDays).DueUtc;
            order.ReplyDueAt = calendar.AddWorkingDays(from, options.ReplyWorkingDays).DueUtc;
        }
        catch (DomainException e) when (e.Code == "calendar_year_missing")
        {
            order.ContactDueAt = order.ReplyDueAt = null;
            Notify(order, "supervisor", "calendar_missing", $"差评工单 {order.No} 无法计算期限：{e.Message}");
        }
    }

    /// <summary>An SMS to the rater (the case's applicant), when a mobile is known.</summary>
    public async Task TellRaterAsync(WorkOrder order, string kind, string text, CancellationToken ct)
    {
        var mobileEnc = await db.Cases.Where(c => c.Id == order.CaseId).Select(c => c.MobileEnc).FirstOrDefaultAsync(ct);
        if (personal.Decrypt(mobileEnc) is { } mobile)
        {
            sms.Send(db, order.CaseId, kind, mobile, text);
        }
    }

    public void Notify(WorkOrder order, string audience, string kind, string message) =>
        db.Notifications.Add(new Notification { Id = time.NewId(), Audience = audience, AgencyId = order.AgencyId, WorkOrderId = order.Id, Kind = kind, Message = message, CreatedAt = time.UtcNow() });

    public void AddEvent(WorkOrder order, string action, string actor, object data) =>
        db.WorkOrderEvents.Add(new WorkOrderEvent { Id = time.NewId(), WorkOrderId = order.Id, Action = action, Actor = actor, At = time.UtcNow(), Data = JsonSerializer.Serialize(data, Json) });

    public static string ToWire(WorkOrderAction action) => JsonNamingPolicy.SnakeCaseLower.ConvertName(action.ToString());

    private static string Local(DateTime? utc) => utc is null ? "（期限待定）" : (utc.Value + Domain.Ratings.RatingWindow.ShanghaiOffset).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private static int RatingWindowDay(DateTime utc) => Domain.Ratings.RatingWindow.DayOf(utc);
}
