using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

/// <summary>Sends SMS. Deployments plug in their operator's gateway; the built-in one only writes to the outbox.</summary>
public interface ISmsGateway
{
    /// <summary>Queues a message in the caller's unit of work (it is saved with it).</summary>
    void Send(PingjiaDbContext db, Guid? caseId, string kind, string mobile, string body);
}

/// <summary>Writes every message to the outbox table, readable through the API, so everything works offline.</summary>
public sealed class OutboxSmsGateway(PersonalData personal, TimeProvider time) : ISmsGateway
{
    public void Send(PingjiaDbContext db, Guid? caseId, string kind, string mobile, string body) =>
        db.SmsOutbox.Add(new SmsMessage { Id = time.NewId(), CaseId = caseId, Kind = kind, MobileEnc = personal.Encrypt(mobile)!, Body = body, CreatedAt = time.UtcNow() });
}

/// <summary>
/// Closes rating windows (default ratings) and sends the one reminder per case. Every step is guarded by a
/// conditional update, so the job is safe to run twice at once and to restart at any point.
/// They find their work by <see cref="Case.JobStage"/>, which only they and case intake change, never by the rated
/// flag: the rating writer sets that flag without touching an index. So a rated case is seen once more by a job (when
/// its reminder time or its close comes) and marked done then, in a batch, off the path of the rating itself.
/// </summary>
public sealed class RatingJobs(IServiceScopeFactory scopes, TimeProvider time, PingjiaOptions options, ILogger<RatingJobs> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly RatingJobStage[] Unsettled = [RatingJobStage.Remind, RatingJobStage.Close];

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
                logger.LogError(ex, "Rating jobs failed; they will run again at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass of both jobs at the provider's current time; returns how many defaults and reminders it made.</summary>
    public async Task<(int Defaults, int Reminders)> RunOnceAsync(CancellationToken ct)
    {
        var defaults = await CloseWindowsAsync(ct);
        var reminders = await SendRemindersAsync(ct);
        return (defaults, reminders);
    }

    public async Task<int> CloseWindowsAsync(CancellationToken ct)
    {
        var made = 0;
        // Each stage is a range of the index (JobStage, RatingClosesAt), read in order of close.
        foreach (var stage in Unsettled)
        {
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
                var now = time.UtcNow();
                var due = await db.Cases.AsNoTracking()
                    .Where(c => c.JobStage == stage && c.RatingClosesAt <= now)
                    .OrderBy(c => c.RatingClosesAt).Take(BatchSize)
                    .Select(c => new { c.Id, Settled = c.HasActiveRating || c.DefaultedAt != null })
                    .ToListAsync(ct);
                var defaulted = 0;
                foreach (var c in due.Where(c => !c.Settled))
                {
                    await using var inner = scopes.CreateAsyncScope();
                    if (await inner.ServiceProvider.GetRequiredService<RatingService>().RecordDefaultAsync(c.Id, now, ct))
                    {
                        defaulted++;
                    }
                }

                made += defaulted;
                // Rated, or defaulted by a run beside this one: done (a default made here is marked done with it). A
                // case that is none of these (its window moved meanwhile) keeps its stage and comes back at its new close.
                var done = await SettleAsync(db, [.. due.Select(c => c.Id)], ct);
                // Every case of a full batch has left the range unless something failed: then wait for the next tick.
                if (due.Count < BatchSize || defaulted + done == 0)
                {
                    break;
                }
            }
        }

        return made;
    }

    public async Task<int> SendRemindersAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        var configs = scope.ServiceProvider.GetRequiredService<RatingConfigCache>();
        var (_, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        var now = time.UtcNow();
        var openedBefore = now.AddHours(-config.ReminderDelayHours);
        // A range on the index (JobStage, RatingOpensAt): the cases whose reminder time has come and that no job has
        // seen since. Each leaves the range below (done, or on to the close), so a tick never reads history.
        var due = await db.Cases.AsNoTracking()
            .Where(c => c.JobStage == RatingJobStage.Remind && c.RatingOpensAt <= openedBefore)
            .OrderBy(c => c.RatingOpensAt).Take(BatchSize).ToListAsync(ct);
        await SettleAsync(db, [.. due.Where(IsSettled).Select(c => c.Id)], ct);
        List<Guid> open = [.. due.Where(c => !IsSettled(c)).Select(c => c.Id)];
        var sent = 0;
        foreach (var c in due.Where(c => !IsSettled(c) && c.MobileEnc is not null && c.RatingClosesAt > now))
        {
            await using var inner = scopes.CreateAsyncScope();
            var idb = inner.ServiceProvider.GetRequiredService<PingjiaDbContext>();
            await using var tx = await idb.Database.BeginTransactionAsync(ct);
            // The guard: another run, or a rating that came meanwhile, makes it touch nothing (it updates the case's
            // rating state, the row the rating writer claims).
            var claimed = await idb.Cases.Where(x => x.Id == c.Id && x.ReminderSentAt == null && !x.HasActiveRating && x.DefaultedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.ReminderSentAt, now), ct);
            if (claimed == 0)
            {
                continue;
            }

            await idb.Cases.Where(x => x.Id == c.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.JobStage, RatingJobStage.Close), ct);

            var personal = inner.ServiceProvider.GetRequiredService<PersonalData>();
            var token = inner.ServiceProvider.GetRequiredService<RatingLinks>()
                .Create(new RatingLink(c.Id, RatingService.MainStep, RatingChannel.Sms, c.RatingClosesAt!.Value, c.MobileIndex));
            var url = $"{options.PublicBaseUrl.TrimEnd('/')}/r/{token}";
            inner.ServiceProvider.GetRequiredService<ISmsGateway>().Send(idb, c.Id, "rating_invitation", personal.Decrypt(c.MobileEnc)!,
                $"【政务服务好差评】您办理的业务（办件号 {c.CaseNo}）已办结，请对本次服务进行评价：{url}");
            await idb.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            sent++;
        }

        // The rest have no reminder to come: no mobile to write to, the window closed first, or reminded already (by a run
        // beside this one, or before an intake update put the stage back). On to the close, checked in the statement
        // itself: a mobile that intake added meanwhile keeps a case here. (Rated meanwhile: the next tick settles them.)
        if (open.Count > 0)
        {
            await db.Cases.Where(c => open.Contains(c.Id) && c.JobStage == RatingJobStage.Remind && !c.HasActiveRating && c.DefaultedAt == null
                    && (c.MobileEnc == null || c.RatingClosesAt <= now || c.ReminderSentAt != null))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.JobStage, RatingJobStage.Close), ct);
        }

        return sent;
    }

    private static bool IsSettled(Case c) => c.HasActiveRating || c.DefaultedAt is not null;

    /// <summary>Marks done those of <paramref name="ids"/> that are rated or defaulted (checked in the statement itself).</summary>
    private static Task<int> SettleAsync(PingjiaDbContext db, List<Guid> ids, CancellationToken ct) =>
        ids.Count == 0
            ? Task.FromResult(0)
            : db.Cases.Where(c => ids.Contains(c.Id) && c.JobStage != RatingJobStage.Done && (c.HasActiveRating || c.DefaultedAt != null))
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.JobStage, RatingJobStage.Done), ct);
}

public sealed record SmsResponse(Guid Id, string? CaseNo, string Kind, string Mobile, string Body, DateTime CreatedAt);

/// <summary>The outbox of the built-in SMS gateway, for administrators (mobiles masked).</summary>
public static class OutboxApi
{
    public static void MapOutbox(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/sms-outbox", List).WithTags("Ratings");

    private static async Task<Ok<Page<SmsResponse>>> List(PingjiaDbContext db, Caller caller, PersonalData personal, string? caseNo, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin);
        var query = db.SmsOutbox.AsNoTracking();
        if (caseNo is not null)
        {
            query = query.Where(m => db.Cases.Any(c => c.Id == m.CaseId && c.CaseNo == caseNo));
        }

        var result = await query.OrderByDescending(m => m.CreatedAt).ToPageAsync(page, pageSize,
            q => q.Select(m => new { m.Id, CaseNo = db.Cases.Where(c => c.Id == m.CaseId).Select(c => c.CaseNo).FirstOrDefault(), m.Kind, m.MobileEnc, m.Body, m.CreatedAt }), ct);
        return TypedResults.Ok(new Page<SmsResponse>(
            [.. result.Items.Select(m => new SmsResponse(m.Id, m.CaseNo, m.Kind, Masking.Mobile(personal.Decrypt(m.MobileEnc)), m.Body, m.CreatedAt))],
            result.Total, result.PageNumber, result.PageSize));
    }
}
