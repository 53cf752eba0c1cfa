using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

/// <summary>
/// Watches deadlines of open orders: a warning at the configured share of the reply time, overdue after it, escalation
/// to the supervisor. Each is a conditional update on its own flag, so each happens exactly once, across restarts and
/// concurrent runs; closed orders are never touched.
/// </summary>
public sealed class WorkOrderJobs(IServiceScopeFactory scopes, TimeProvider time, PingjiaOptions options, ILogger<WorkOrderJobs> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.JobIntervalSeconds), time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Work-order deadline job failed; it will run again at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static readonly WorkOrderState[] OpenStates = [.. Enum.GetValues<WorkOrderState>().Where(s => s != WorkOrderState.Closed)];

    public async Task<(int Warned, int Overdue, int Escalated)> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        var now = time.UtcNow();
        // The open states by name, not "State <> Closed": an IN list can use the (State, ReplyDueAt) index, a <> cannot.
        var open = db.WorkOrders.Where(o => OpenStates.Contains(o.State) && o.ReplyDueAt != null);

        // Warning: the share of the time between creation and the reply deadline has passed.
        var share = (double)options.WarningShare;
        var warnCandidates = await open.Where(o => o.WarnedAt == null && o.ReplyDueAt > now).Select(o => new { o.Id, o.CreatedAt, o.ReplyDueAt }).ToListAsync(ct);
        var warned = 0;
        foreach (var o in warnCandidates.Where(o => now >= o.CreatedAt + ((o.ReplyDueAt!.Value - o.CreatedAt) * share)))
        {
            warned += await MarkAsync(scope.ServiceProvider, o.Id, "warning", now, ct);
        }

        var overdue = 0;
        foreach (var id in await open.Where(o => o.OverdueAt == null && o.ReplyDueAt <= now).Select(o => o.Id).ToListAsync(ct))
        {
            overdue += await MarkAsync(scope.ServiceProvider, id, "overdue", now, ct);
        }

        var escalated = 0;
        foreach (var id in await open.Where(o => o.EscalatedAt == null && o.OverdueAt != null).Select(o => o.Id).ToListAsync(ct))
        {
            escalated += await MarkAsync(scope.ServiceProvider, id, "escalated", now, ct);
        }

        return (warned, overdue, escalated);
    }

    private async Task<int> MarkAsync(IServiceProvider root, Guid id, string kind, DateTime now, CancellationToken ct)
    {
        await using var scope = root.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var orders = db.WorkOrders.Where(o => o.Id == id && o.State != WorkOrderState.Closed);
        var changed = kind switch
        {
            "warning" => await orders.Where(o => o.WarnedAt == null).ExecuteUpdateAsync(u => u.SetProperty(o => o.WarnedAt, now), ct),
            "overdue" => await orders.Where(o => o.OverdueAt == null).ExecuteUpdateAsync(u => u.SetProperty(o => o.OverdueAt, now), ct),
            _ => await orders.Where(o => o.EscalatedAt == null && o.OverdueAt != null).ExecuteUpdateAsync(u => u.SetProperty(o => o.EscalatedAt, now), ct),
        };
        if (changed == 0)
        {
            return 0;
        }

        var order = await db.WorkOrders.AsNoTracking().SingleAsync(o => o.Id == id, ct);
        // A set-based update passes no interceptor: the order's new overdue count goes to the counters below, after the
        // audit save has taken the chain's head (head, then counters: the order every writer keeps, so none deadlocks).
        var deltas = new Dictionary<HandlingKey, Domain.Ratings.HandlingTotals>();
        if (kind == "overdue")
        {
            HandlingCounters.Diff(new WorkOrder { No = order.No, CaseNo = order.CaseNo, AgencyId = order.AgencyId, ItemId = order.ItemId, CreatedAt = order.CreatedAt, State = order.State, RatingExcluded = order.RatingExcluded, OverdueAt = null }, order, deltas);
        }

        var service = scope.ServiceProvider.GetRequiredService<WorkOrderService>();
        var due = order.ReplyDueAt!.Value + Domain.Ratings.RatingWindow.ShanghaiOffset;
        switch (kind)
        {
            case "warning":
                service.Notify(order, "unit", "warning", $"差评工单 {order.No} 将于 {due:yyyy-MM-dd HH:mm} 到期，请尽快办理。");
                service.Notify(order, "supervisor", "warning", $"差评工单 {order.No} 临近期限（{due:yyyy-MM-dd HH:mm}）。");
                break;
            case "overdue":
                service.Notify(order, "unit", "overdue", $"差评工单 {order.No} 已超过办理期限（{due:yyyy-MM-dd HH:mm}）。");
                service.Notify(order, "supervisor", "overdue", $"差评工单 {order.No} 已超期。");
                await service.TellRaterAsync(order, "work_order_overdue", $"【政务服务好差评】您的差评工单 {order.No} 尚在办理中，已超过承诺期限，我们已督促相关单位尽快处理。", ct);
                break;
            default:
                service.Notify(order, "supervisor", "escalated", $"差评工单 {order.No} 超期未办结，已提请督办。");
                break;
        }

        service.AddEvent(order, kind, "system:deadlines", new { due = order.ReplyDueAt });
        var audit = scope.ServiceProvider.GetRequiredService<Audit.AuditLog>();
        audit.ActorOverride = "system:deadlines";
        audit.Record($"work_order.{kind}", "work_order", order.No, new { order.ReplyDueAt });
        await audit.SaveAsync(ct);
        foreach (var (key, delta) in deltas)
        {
            await HandlingCounters.AddAsync(db, key, delta, ct);
        }

        await tx.CommitAsync(ct);
        return 1;
    }
}
