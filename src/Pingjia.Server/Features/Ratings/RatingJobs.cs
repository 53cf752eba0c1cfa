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
/// </summary>
public sealed class RatingJobs(IServiceScopeFactory scopes, TimeProvider time, PingjiaOptions options, ILogger<RatingJobs> logger) : BackgroundService
{
    private const int BatchSize = 500;

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
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
            var now = time.UtcNow();
            // Written out so that every condition is an equality or a range on the index (HasActiveRating, DefaultedAt,
            // RatingClosesAt): EF's NOT "HasActiveRating" cannot use it, and the job would read every case every tick.
            var due = await db.Database.SqlQuery<Guid>($"""
                SELECT "Id" AS "Value" FROM cases
                WHERE "HasActiveRating" = {false} AND "DefaultedAt" IS NULL AND "RatingClosesAt" <= {now}
                ORDER BY "RatingClosesAt" LIMIT {BatchSize}
                """).ToListAsync(ct);
            foreach (var id in due)
            {
                await using var inner = scopes.CreateAsyncScope();
                if (await inner.ServiceProvider.GetRequiredService<RatingService>().RecordDefaultAsync(id, now, ct))
                {
                    made++;
                }
            }

            if (due.Count < BatchSize)
            {
                return made;
            }
        }
    }

    public async Task<int> SendRemindersAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        var configs = scope.ServiceProvider.GetRequiredService<RatingConfigCache>();
        var (_, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        var now = time.UtcNow();
        var openedBefore = now.AddHours(-config.ReminderDelayHours);
        // Only open, unrated, unreminded windows: a range on the index (HasActiveRating, DefaultedAt, ReminderSentAt,
        // RatingClosesAt), so the job reads the few open windows and never the whole history of rated cases.
        var due = await db.Cases.FromSql($"""
                SELECT * FROM cases
                WHERE "HasActiveRating" = {false} AND "DefaultedAt" IS NULL AND "ReminderSentAt" IS NULL AND "RatingClosesAt" > {now}
                """).AsNoTracking()
            .Where(c => c.MobileEnc != null && c.RatingOpensAt <= openedBefore)
            .OrderBy(c => c.RatingOpensAt).Take(BatchSize).ToListAsync(ct);
        var sent = 0;
        foreach (var c in due)
        {
            await using var inner = scopes.CreateAsyncScope();
            var idb = inner.ServiceProvider.GetRequiredService<PingjiaDbContext>();
            await using var tx = await idb.Database.BeginTransactionAsync(ct);
            var claimed = await idb.Cases.Where(x => x.Id == c.Id && x.ReminderSentAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.ReminderSentAt, now), ct);
            if (claimed == 0)
            {
                continue;
            }

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

        return sent;
    }
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
