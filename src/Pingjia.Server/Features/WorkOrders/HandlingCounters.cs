using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain.Ratings;
using Pingjia.Domain.WorkOrders;

namespace Pingjia.Server.Features.WorkOrders;

/// <summary>Which handling-counter row an order counts in: the local day its rating was made, its current agency, its item.</summary>
public sealed record HandlingKey(int Day, Guid AgencyId, Guid ItemId);

/// <summary>
/// Keeps the handling counters equal to a count over the work orders. An order contributes one vector of
/// handling counts (<see cref="Contribution"/>); every save that adds or changes orders adds, in the same
/// transaction, what the change made of each order's vector (a rerouted order moves its whole vector to the new
/// agency). Saves are caught by an EF interceptor, so no code path that changes an order can forget them;
/// set-based updates of orders (<c>ExecuteUpdate</c>) must call <see cref="AddAsync"/> themselves.
/// </summary>
public static class HandlingCounters
{
    public static HandlingKey KeyOf(WorkOrder o) => new(RatingWindow.DayOf(o.CreatedAt), o.AgencyId, o.ItemId);

    /// <summary>What one order counts for; nothing when its rating was excluded from statistics.</summary>
    public static HandlingTotals Contribution(WorkOrder o)
    {
        if (o.RatingExcluded)
        {
            return HandlingTotals.Zero;
        }

        var founded = o.Verification is Verification.Founded or Verification.PartlyFounded;
        return new HandlingTotals(
            BadRatings: 1,
            Replied: o.RepliedAt is null ? 0 : 1,
            Founded: founded ? 1 : 0,
            Rectified: founded && o.Rectified ? 1 : 0,
            Answered: o.Satisfaction is null ? 0 : 1,
            Satisfied: o.Satisfaction is HandlingSatisfaction.Satisfied or HandlingSatisfaction.BasicallySatisfied ? 1 : 0,
            Closed: o.ClosedAt is null ? 0 : 1,
            ClosedOnTime: o.ClosedOnTime == true ? 1 : 0,
            Overdue: o.OverdueAt is not null && o.State != WorkOrderState.Closed ? 1 : 0);
    }

    /// <summary>The changes that turning <paramref name="before"/> into <paramref name="after"/> makes to the counters.</summary>
    public static void Diff(WorkOrder? before, WorkOrder? after, Dictionary<HandlingKey, HandlingTotals> into)
    {
        void Add(HandlingKey k, HandlingTotals d) => into[k] = into.TryGetValue(k, out var e) ? e + d : d;
        if (before is not null)
        {
            Add(KeyOf(before), -Contribution(before));
        }

        if (after is not null)
        {
            Add(KeyOf(after), Contribution(after));
        }
    }

    public static Task AddAsync(PingjiaDbContext db, HandlingKey k, HandlingTotals d, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO handling_counters ("AgencyId", "Day", "ItemId", "BadRatings", "Replied", "Founded", "Rectified", "Answered", "Satisfied", "Closed", "ClosedOnTime", "Overdue")
            VALUES ({k.AgencyId}, {k.Day}, {k.ItemId}, {d.BadRatings}, {d.Replied}, {d.Founded}, {d.Rectified}, {d.Answered}, {d.Satisfied}, {d.Closed}, {d.ClosedOnTime}, {d.Overdue})
            ON CONFLICT ("AgencyId", "Day", "ItemId") DO UPDATE SET
              "BadRatings" = handling_counters."BadRatings" + excluded."BadRatings",
              "Replied" = handling_counters."Replied" + excluded."Replied",
              "Founded" = handling_counters."Founded" + excluded."Founded",
              "Rectified" = handling_counters."Rectified" + excluded."Rectified",
              "Answered" = handling_counters."Answered" + excluded."Answered",
              "Satisfied" = handling_counters."Satisfied" + excluded."Satisfied",
              "Closed" = handling_counters."Closed" + excluded."Closed",
              "ClosedOnTime" = handling_counters."ClosedOnTime" + excluded."ClosedOnTime",
              "Overdue" = handling_counters."Overdue" + excluded."Overdue"
            """, ct);

    /// <summary>Adds each save's work-order changes to the handling counters, before the save and in its transaction.</summary>
    internal sealed class Interceptor : SaveChangesInterceptor
    {
        public static readonly Interceptor Instance = new();

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
            eventData.Context is PingjiaDbContext db && db.ChangeTracker.Entries<WorkOrder>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                ? throw new InvalidOperationException("Work orders are saved with SaveChangesAsync, which keeps the handling counters.")
                : result;

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is not PingjiaDbContext db)
            {
                return result;
            }

            var deltas = new Dictionary<HandlingKey, HandlingTotals>();
            foreach (var entry in db.ChangeTracker.Entries<WorkOrder>())
            {
                switch (entry.State)
                {
                    case EntityState.Added:
                        Diff(null, entry.Entity, deltas);
                        break;
                    case EntityState.Modified:
                        Diff((WorkOrder)entry.OriginalValues.ToObject(), entry.Entity, deltas);
                        break;
                    case EntityState.Deleted:
                        Diff((WorkOrder)entry.OriginalValues.ToObject(), null, deltas);
                        break;
                }
            }

            var changes = deltas.Where(d => !d.Value.IsZero).ToList();
            if (changes.Count == 0)
            {
                return result;
            }

            // Outside a transaction the counters could commit without the orders (or the other way round).
            if (db.Database.CurrentTransaction is null)
            {
                throw new InvalidOperationException("Work orders must be saved inside a transaction (AuditLog.SaveAsync opens one).");
            }

            foreach (var (key, delta) in changes)
            {
                await AddAsync(db, key, delta, cancellationToken);
            }

            return result;
        }
    }
}
