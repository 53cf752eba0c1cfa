using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

public sealed record RelatedRatingRequest(string? CaseNo, int? Level, Dictionary<string, int>? Indicators, List<string>? Tags, string? Text);

public sealed record RatingRequest(
    string? CaseNo, string? Step, int? Level, Dictionary<string, int>? Indicators, List<string>? Tags, string? Text,
    RatingChannel? Channel, List<RelatedRatingRequest>? Related);

public sealed record LinkRatingRequest(string? Token, int? Level, Dictionary<string, int>? Indicators, List<string>? Tags, string? Text, List<RelatedRatingRequest>? Related);

public sealed record FollowUpRequest(string? Text);

public sealed record LinkFollowUpRequest(string? Token, string? Text);

public sealed record ExcludeRequest(string? Reason);

public sealed record LinkRequest(RatingChannel? Channel, string? Step);

public sealed record LinkSatisfactionRequest(string? Token, Domain.WorkOrders.HandlingSatisfaction? Satisfaction);

public sealed record HandlingSatisfactionResponse(string WorkOrderNo, Domain.WorkOrders.WorkOrderState State, int Round);

public sealed record LinkResponse(string Url, string Token, DateTime ExpiresAt);

public sealed record RatingResponse(
    Guid Id, string CaseNo, string Step, int Level, string LevelName, IReadOnlyDictionary<string, int> Indicators, IReadOnlyList<string> Tags,
    string? Text, string? FollowUp, DateTime? FollowUpAt, RatingChannel Channel, bool IsDefault, bool Excluded, string? ExcludedReason,
    int ConfigVersion, DateTime CreatedAt);

/// <summary>The rating and whether this submission made it (false: it already existed and is returned as it is).</summary>
public sealed record SubmitResponse(bool Created, RatingResponse Rating, IReadOnlyList<RatingResponse> AlsoRated);

/// <summary>What a rating link shows its holder before rating: the case in masked form and the choices allowed.</summary>
public sealed record LinkView(
    string CaseNo, string ItemName, string AgencyName, string? StaffName, string? StaffNo, RatingEntryView Rating, bool Online,
    IReadOnlyList<string> Indicators, IReadOnlyList<TagDefinition> Tags, TagPolicy TagPolicy, RatingResponse? Existing);

/// <summary>Submitting, reading, following up and excluding ratings; rating links for QR codes and SMS.</summary>
public static class RatingsApi
{
    private static readonly Role[] Submitters = [Role.SystemAdmin, Role.BureauAdmin, Role.Integration, Role.AgencyManager, Role.Staff];

    public static void MapRatings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/ratings").WithTags("Ratings");
        group.MapPost("/", Submit);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/{id:guid}/follow-up", FollowUp);
        group.MapPost("/{id:guid}/exclude", Exclude);
        group.MapPost("/by-link", SubmitByLink).AllowAnonymous();
        group.MapPost("/by-link/follow-up", FollowUpByLink).AllowAnonymous();
        group.MapGet("/by-link/{token}", ViewLink).AllowAnonymous();
        group.MapPost("/by-link/handling-satisfaction", HandlingSatisfactionByLink).AllowAnonymous();

        app.MapGet("/api/v1/cases/{caseNo}/ratings", ListForCase).WithTags("Ratings");
        app.MapPost("/api/v1/cases/{caseNo}/rating-links", CreateLink).WithTags("Ratings");
    }

    internal static RatingResponse ToResponse(Rating r) => new(
        r.Id, r.CaseNo, r.Step, r.Level, RatingLevels.NameOf(r.Level),
        JsonSerializer.Deserialize<Dictionary<string, int>>(r.Indicators) ?? [],
        r.Tags.Length == 0 ? [] : r.Tags.Split(','),
        r.Text, r.FollowUp, r.FollowUpAt, r.Channel, r.IsDefault, r.Excluded, r.ExcludedReason, r.ConfigVersion, r.CreatedAt);

    private static RatingInput Input(int? level, Dictionary<string, int>? indicators, List<string>? tags, string? text)
    {
        new Validation().Check(level is not null, "level", "level is required (1 to 5).").ThrowIfInvalid();
        return new RatingInput(level!.Value, indicators ?? [], tags?.Distinct().ToList() ?? [], text);
    }

    private static async Task<IReadOnlyList<(Case, RatingInput)>> RelatedAsync(PingjiaDbContext db, List<RelatedRatingRequest>? related, CancellationToken ct)
    {
        var list = new List<(Case, RatingInput)>();
        foreach (var r in related ?? [])
        {
            var c = await db.Cases.FirstOrDefaultAsync(x => x.CaseNo == r.CaseNo, ct)
                ?? throw new DomainException(ErrorKind.NotFound, "case_not_found", $"Related case {r.CaseNo} was not found.");
            list.Add((c, Input(r.Level, r.Indicators, r.Tags, r.Text)));
        }

        return list;
    }

    private static async Task<Results<Created<SubmitResponse>, Ok<SubmitResponse>>> Submit(
        RatingRequest request, PingjiaDbContext db, Caller caller, RatingService ratings, CaseLookup cases, CancellationToken ct)
    {
        caller.Require(Submitters);
        new Validation()
            .Required(request.CaseNo, "caseNo", 64)
            .Optional(request.Step, "step", 32)
            .Check(request.Channel is not null && request.Channel != RatingChannel.Default, "channel", "channel is required (pc, app, qr_code, hall_device, self_service_terminal, hotline, sms, paper, mini_program).")
            .Check(request.Related is null or { Count: <= 20 }, "related", "At most 20 related ratings.")
            .ThrowIfInvalid();
        var c = await cases.FindVisibleAsync(db, caller, request.CaseNo!, ct);
        var input = Input(request.Level, request.Indicators, request.Tags, request.Text);
        var result = await ratings.SubmitAsync(new Submission(
            c, request.Step ?? RatingService.MainStep, input, request.Channel!.Value, c.MobileIndex ?? c.IdNumberIndex,
            await RelatedAsync(db, request.Related, ct)), ct);
        return Respond(result);
    }

    private static Results<Created<SubmitResponse>, Ok<SubmitResponse>> Respond(SubmissionResult result)
    {
        var body = new SubmitResponse(result.Created, ToResponse(result.Rating), [.. result.AlsoRated.Select(ToResponse)]);
        return result.Created ? TypedResults.Created($"/api/v1/ratings/{result.Rating.Id}", body) : TypedResults.Ok(body);
    }

    private static async Task<Results<Created<SubmitResponse>, Ok<SubmitResponse>>> SubmitByLink(
        LinkRatingRequest request, PingjiaDbContext db, RatingLinks links, RatingService ratings, TimeProvider time, CancellationToken ct)
    {
        var link = links.Read(request.Token, time.UtcNow());
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == link.CaseId, ct)
            ?? throw new DomainException(ErrorKind.Forbidden, "forged_token", "This rating link is not valid.");
        EnsureSameRater(link, c);
        var input = Input(request.Level, request.Indicators, request.Tags, request.Text);
        var result = await ratings.SubmitAsync(new Submission(c, link.Step, input, link.Channel, c.MobileIndex ?? c.IdNumberIndex,
            await RelatedAsync(db, request.Related, ct)), ct);
        return Respond(result);
    }

    /// <summary>A link binds the case's rater as it was when the link was made; a changed applicant makes old links void.</summary>
    internal static void EnsureSameRater(RatingLink link, Case c)
    {
        var current = (c.MobileIndex ?? c.IdNumberIndex)?[..16];
        if (link.RaterIndex != current)
        {
            throw new DomainException(ErrorKind.Forbidden, "foreign_token", "This rating link was issued to another rater.");
        }
    }

    private static async Task<Ok<LinkView>> ViewLink(string token, PingjiaDbContext db, RatingLinks links, RatingService ratings, RatingConfigCache configs, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var link = links.Read(token, now);
        var c = await db.Cases.AsNoTracking().FirstOrDefaultAsync(x => x.Id == link.CaseId, ct)
            ?? throw new DomainException(ErrorKind.Forbidden, "forged_token", "This rating link is not valid.");
        EnsureSameRater(link, c);
        var names = await db.Items.Where(i => i.Id == c.ItemId).Select(i => new
        {
            i.Name,
            Agency = db.Agencies.Where(a => a.Id == c.AgencyId).Select(a => a.Name).First(),
        }).FirstAsync(ct);
        var staff = await db.Staff.Where(s => s.Id == c.StaffId).Select(s => new { s.Name, s.EmployeeNo }).FirstOrDefaultAsync(ct);
        var (_, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        var online = RatingLevels.IsOnline(c.ServiceChannel);
        var existing = await ratings.FindAsync(c.Id, link.Step, ct);
        return TypedResults.Ok(new LinkView(c.CaseNo, names.Name, names.Agency, staff?.Name, staff?.EmployeeNo,
            CasesApi.EntryOf(c, now), online, config.IndicatorsFor(c.RatingScope, online),
            [.. config.Tags.Where(t => !t.Retired && (t.ChannelKind == "any" || t.ChannelKind == (online ? "online" : "offline")))],
            config.TagPolicy, existing is null ? null : ToResponse(existing)));
    }

    private static async Task<Ok<RatingResponse>> Get(Guid id, PingjiaDbContext db, Caller caller, CaseLookup cases, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        return TypedResults.Ok(ToResponse(await FindVisibleAsync(id, db, caller, cases, ct)));
    }

    private static async Task<Rating> FindVisibleAsync(Guid id, PingjiaDbContext db, Caller caller, CaseLookup cases, CancellationToken ct)
    {
        var rating = await db.Ratings.FirstOrDefaultAsync(r => r.Id == id, ct)
            ?? throw DomainException.NotFound("Rating");
        await cases.FindVisibleAsync(db, caller, rating.CaseNo, ct);
        return rating;
    }

    private static async Task<Ok<List<RatingResponse>>> ListForCase(string caseNo, PingjiaDbContext db, Caller caller, CaseLookup cases, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var c = await cases.FindVisibleAsync(db, caller, caseNo, ct);
        var list = await db.Ratings.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(list.Select(ToResponse).ToList());
    }

    private static async Task<Ok<RatingResponse>> FollowUp(Guid id, FollowUpRequest request, PingjiaDbContext db, Caller caller, CaseLookup cases, RatingService ratings, CancellationToken ct)
    {
        caller.Require(Submitters);
        var rating = await FindVisibleAsync(id, db, caller, cases, ct);
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == rating.CaseId, ct);
        return TypedResults.Ok(ToResponse(await ratings.FollowUpAsync(rating, c, request.Text, ct)));
    }

    private static async Task<Ok<RatingResponse>> FollowUpByLink(LinkFollowUpRequest request, PingjiaDbContext db, RatingLinks links, RatingService ratings, TimeProvider time, CancellationToken ct)
    {
        var link = links.Read(request.Token, time.UtcNow());
        var rating = await ratings.FindAsync(link.CaseId, link.Step, ct)
            ?? throw DomainException.Conflict("not_rated", "This case has not been rated yet; rate it first.");
        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == rating.CaseId, ct);
        return TypedResults.Ok(ToResponse(await ratings.FollowUpAsync(rating, c, request.Text, ct)));
    }

    private static async Task<Ok<HandlingSatisfactionResponse>> HandlingSatisfactionByLink(
        LinkSatisfactionRequest request, PingjiaDbContext db, RatingLinks links, RatingService ratings, WorkOrders.WorkOrderService workOrders, TimeProvider time, CancellationToken ct)
    {
        var link = links.Read(request.Token, time.UtcNow());
        var rating = await ratings.FindAsync(link.CaseId, link.Step, ct)
            ?? throw DomainException.Conflict("not_rated", "This case has not been rated.");
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.RatingId == rating.Id, ct)
            ?? throw DomainException.Conflict("no_work_order", "This rating has no work order to answer about.");
        var rater = new Caller(WorkOrders.WorkOrderService.RaterByLink, null, null, null, null, null);
        await workOrders.ActAsync(order, Domain.WorkOrders.WorkOrderAction.RecordSatisfaction,
            new WorkOrders.WorkOrderActionRequest(null, null, null, null, null, null, null, null, null, request.Satisfaction, null, null, null), rater, ct);
        return TypedResults.Ok(new HandlingSatisfactionResponse(order.No, order.State, order.Round));
    }

    private static async Task<Ok<RatingResponse>> Exclude(Guid id, ExcludeRequest request, PingjiaDbContext db, Caller caller, CaseLookup cases, RatingService ratings, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var rating = await FindVisibleAsync(id, db, caller, cases, ct);
        return TypedResults.Ok(ToResponse(await ratings.ExcludeAsync(rating, request.Reason, ct)));
    }

    private static async Task<Created<LinkResponse>> CreateLink(
        string caseNo, LinkRequest? request, PingjiaDbContext db, Caller caller, CaseLookup cases, RatingLinks links, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Submitters);
        new Validation()
            .Check(request?.Channel is null or RatingChannel.QrCode or RatingChannel.Sms or RatingChannel.HallDevice or RatingChannel.App or RatingChannel.Pc,
                "channel", "A link is for qr_code, sms, hall_device, app or pc.")
            .Optional(request?.Step, "step", 32)
            .ThrowIfInvalid();
        var c = await cases.FindVisibleAsync(db, caller, caseNo, ct);
        var now = time.UtcNow();
        // A rated case still gets links: its rater follows up, and later says what they think of the handling.
        var rated = c.HasActiveRating || c.DefaultedAt is not null;
        if (!rated)
        {
            RatingService.EnsureOpen(c, now);
        }

        var expires = rated ? RatingLinks.AfterRatingExpiry(c.RatingClosesAt, now) : c.RatingClosesAt!.Value;
        var token = links.Create(new RatingLink(c.Id, request?.Step ?? RatingService.MainStep, request?.Channel ?? RatingChannel.QrCode, expires, c.MobileIndex ?? c.IdNumberIndex));
        return TypedResults.Created($"/r/{token}", new LinkResponse($"/r/{token}", token, expires));
    }
}
