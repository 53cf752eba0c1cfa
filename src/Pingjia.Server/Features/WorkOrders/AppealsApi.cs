using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

public sealed record AppealRequest(string? Subject, string? Grounds, string? Reason, List<string>? Evidence);

public sealed record AppealDecision(bool? Uphold, string? Note);

public sealed record AppealResponse(
    Guid Id, Guid RatingId, string CaseNo, string AgencyCreditCode, string Grounds, string Reason, IReadOnlyList<string> Evidence, string State,
    string FiledBy, DateTime FiledAt, string? DecidedBy, DateTime? DecidedAt, string? DecisionNote);

/// <summary>
/// Appeals (申诉): within the configured working days a unit appeals a rating of its staff as untrue or malicious; the
/// staff-management reviewer (a bureau admin over the unit) upholds or rejects. Upheld: the rating leaves every figure in
/// the same transaction and stays visible, excluded, with the reason. Ratings of the item, process or platform cannot be appealed.
/// </summary>
public static class AppealsApi
{
    private static readonly string[] Grounds = ["untrue", "malicious"];

    public static void MapAppeals(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/ratings/{ratingId:guid}/appeals", File).WithTags("Work orders: appeals");
        var group = app.MapGroup("/api/v1/appeals").WithTags("Work orders: appeals");
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/decide", Decide);
    }

    private static AppealResponse ToResponse(Appeal a, string agency) => new(
        a.Id, a.RatingId, a.CaseNo, agency, a.Grounds, a.Reason, JsonSerializer.Deserialize<List<string>>(a.Evidence) ?? [], a.State,
        a.FiledBy, a.FiledAt, a.DecidedBy, a.DecidedAt, a.DecisionNote);

    internal static async Task<Created<AppealResponse>> File(
        Guid ratingId, AppealRequest request, PingjiaDbContext db, Caller caller, CatalogService catalog, CalendarStore calendars,
        PingjiaOptions options, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.AgencyManager, Role.SystemAdmin);
        new Validation()
            .Check(request.Subject is "staff" or "item" or "process" or "platform", "subject", "subject is staff, item, process or platform.")
            .Check(request.Grounds is not null && Grounds.Contains(request.Grounds), "grounds", "grounds is untrue or malicious.")
            .Required(request.Reason, "reason", 2000)
            .Check(request.Evidence is null or { Count: <= 20 } && (request.Evidence ?? []).All(e => e.Length is > 0 and <= 200), "evidence", "At most 20 evidence references of up to 200 characters.")
            .ThrowIfInvalid();
        var rating = await db.Ratings.AsNoTracking().FirstOrDefaultAsync(r => r.Id == ratingId, ct) ?? throw DomainException.NotFound("Rating");
        var agency = await db.Agencies.Where(a => a.Id == rating.AgencyId).Select(a => a.CreditCode).FirstAsync(ct);
        await catalog.RequireVisibleAgencyAsync(agency, ct);
        if (request.Subject != "staff" || rating.StaffId is null)
        {
            throw new DomainException(ErrorKind.Validation, "not_appealable",
                "Only a rating of the unit's staff can be appealed; ratings of the item, the process or the platform cannot.",
                new Dictionary<string, string[]> { ["subject"] = ["Not appealable."] });
        }

        if (rating.IsDefault || rating.Excluded)
        {
            throw DomainException.Conflict("not_appealable", rating.IsDefault ? "A default rating cannot be appealed." : "This rating is already excluded.");
        }

        var now = time.UtcNow();
        var calendar = await calendars.GetAsync(db, ct);
        var deadline = calendar.AddWorkingDays(rating.CreatedAt, options.AppealWorkingDays);
        if (now > deadline.DueUtc)
        {
            throw DomainException.Conflict("appeal_period_over", $"Appeals must be filed within {options.AppealWorkingDays} working days of the rating. {deadline.Explain()}");
        }

        if (await db.Appeals.AnyAsync(a => a.RatingId == ratingId, ct))
        {
            throw DomainException.Conflict("duplicate_appeal", "This rating has already been appealed.");
        }

        var appeal = new Appeal
        {
            Id = time.NewId(), RatingId = ratingId, CaseNo = rating.CaseNo, AgencyId = rating.AgencyId, Grounds = request.Grounds!, Reason = request.Reason!.Trim(),
            Evidence = JsonSerializer.Serialize(request.Evidence ?? []), State = "pending", FiledBy = caller.Actor, FiledAt = now,
        };
        db.Appeals.Add(appeal);
        db.Notifications.Add(new Notification { Id = time.NewId(), Audience = "supervisor", AgencyId = rating.AgencyId, Kind = "appeal_filed", Message = $"办件 {rating.CaseNo} 的评价被申诉（{request.Grounds}），请审核。", CreatedAt = now });
        audit.Record("appeal.filed", "appeal", appeal.Id.ToString(), new { ratingId, appeal.CaseNo, appeal.Grounds });
        await audit.SaveAsync(ct);
        return TypedResults.Created($"/api/v1/appeals/{appeal.Id}", ToResponse(appeal, agency));
    }

    internal static async Task<Ok<AppealResponse>> Decide(
        Guid id, AppealDecision request, PingjiaDbContext db, Caller caller, CatalogService catalog, RatingService ratings, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.BureauAdmin, Role.SystemAdmin);
        new Validation().Check(request.Uphold is not null, "uphold", "uphold is true or false.").Required(request.Note, "note", 1000).ThrowIfInvalid();
        var appeal = await db.Appeals.FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw DomainException.NotFound("Appeal");
        var agency = await db.Agencies.Where(a => a.Id == appeal.AgencyId).Select(a => a.CreditCode).FirstAsync(ct);
        await catalog.RequireVisibleAgencyAsync(agency, ct);
        if (appeal.State != "pending")
        {
            throw DomainException.Conflict("appeal_decided", $"This appeal was already {appeal.State}.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        appeal.State = request.Uphold == true ? "upheld" : "rejected";
        appeal.DecidedBy = caller.Actor;
        appeal.DecidedAt = time.UtcNow();
        appeal.DecisionNote = request.Note!.Trim();
        audit.Record($"appeal.{appeal.State}", "appeal", appeal.Id.ToString(), new { appeal.RatingId, appeal.CaseNo, note = appeal.DecisionNote });
        if (request.Uphold == true)
        {
            // The exclusion, its counters and the decision commit together; the rating itself stays, marked with the reason.
            var rating = await db.Ratings.FirstAsync(r => r.Id == appeal.RatingId, ct);
            await ratings.ExcludeAsync(rating, $"申诉成立（{appeal.Grounds}）：{appeal.DecisionNote}", ct);
        }
        else
        {
            await audit.SaveAsync(ct);
        }

        await tx.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(appeal, agency));
    }

    private static async Task<Ok<AppealResponse>> Get(Guid id, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var a = await db.Appeals.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && db.VisibleAgencies(caller).Any(v => v.Id == x.AgencyId), ct)
            ?? throw DomainException.NotFound("Appeal");
        return TypedResults.Ok(ToResponse(a, await db.Agencies.Where(x => x.Id == a.AgencyId).Select(x => x.CreditCode).FirstAsync(ct)));
    }

    private static async Task<Ok<Page<AppealResponse>>> List(PingjiaDbContext db, Caller caller, string? state, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var query = db.Appeals.AsNoTracking().Where(a => db.VisibleAgencies(caller).Any(v => v.Id == a.AgencyId));
        if (state is not null)
        {
            query = query.Where(a => a.State == state);
        }

        var result = await query.OrderByDescending(a => a.FiledAt).ToPageAsync(page, pageSize, x => x, ct);
        var codes = await db.Agencies.Where(a => result.Items.Select(i => i.AgencyId).Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.CreditCode, ct);
        return TypedResults.Ok(new Page<AppealResponse>([.. result.Items.Select(a => ToResponse(a, codes[a.AgencyId]))], result.Total, result.PageNumber, result.PageSize));
    }
}
