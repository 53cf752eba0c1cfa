using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Ratings;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Rate;

/// <summary>
/// The rater's page behind a QR code or SMS link: the case, the five levels, tags for the chosen level, the indicators of
/// the channel kind, a comment; then the confirmation, a follow-up within the window, and the view of the handling.
/// </summary>
public sealed class IndexModel(
    PingjiaDbContext db, RatingLinkFlow flow, RatingService ratings, RatingConfigCache configs, WorkOrderService workOrders, TimeProvider time)
    : WebPageModel
{
    [FromRoute]
    public string Token { get; set; } = "";

    [BindProperty]
    public int? Level { get; set; }

    /// <summary>Indicator levels as posted (fields <c>ind:NAME</c>; bound by hand, since a dictionary binds any stray number).</summary>
    public Dictionary<string, int> Indicators { get; set; } = [];

    [BindProperty]
    public List<string> Tags { get; set; } = [];

    [BindProperty]
    public string? Text { get; set; }

    [BindProperty]
    public string? FollowUp { get; set; }

    [BindProperty]
    public HandlingSatisfaction? Satisfaction { get; set; }

    /// <summary>Why the link cannot be used: forged_token, expired_token or foreign_token.</summary>
    public string? LinkError { get; private set; }

    public bool Done { get; private set; }

    public Case? Case { get; private set; }

    public string ItemName { get; private set; } = "";

    public string AgencyName { get; private set; } = "";

    public string? StaffName { get; private set; }

    public string? StaffNo { get; private set; }

    public RatingEntryView? Entry { get; private set; }

    public RatingFormView Form { get; private set; } = null!;

    public IReadOnlyDictionary<string, TagDefinition> AllTags { get; private set; } = new Dictionary<string, TagDefinition>();

    public Rating? Existing { get; private set; }

    public WorkOrder? Order { get; private set; }

    public bool CanFollowUp => Existing is { IsDefault: false, FollowUp: null } && Case?.RatingClosesAt > time.UtcNow();

    public bool CanAnswerHandling => Order is { State: WorkOrderState.Closed, Satisfaction: null };

    public async Task<IActionResult> OnGetAsync(bool? done, CancellationToken ct)
    {
        Done = done == true;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var opened = await OpenAsync(ct);
        if (opened is null)
        {
            return Page();
        }

        Indicators = RatingFormView.ReadIndicators(Request.Form);
        var input = new RatingInput(Level ?? 0, Indicators, Tags.Distinct().ToList(), Text);
        var c = opened.Case;
        await ratings.SubmitAsync(new Submission(c, opened.Link.Step, input, opened.Link.Channel, c.MobileIndex ?? c.IdNumberIndex, []), ct);
        // Post, redirect, get: a reload of the confirmation never submits twice (and a second submit returns the first rating anyway).
        return Redirect($"/r/{Uri.EscapeDataString(Token)}?done=true");
    }

    public async Task<IActionResult> OnPostFollowUpAsync(CancellationToken ct)
    {
        var opened = await OpenAsync(ct);
        if (opened is null)
        {
            return Page();
        }

        var rating = await ratings.FindAsync(opened.Case.Id, opened.Link.Step, ct)
            ?? throw DomainException.Conflict("not_rated", "This case has not been rated yet; rate it first.");
        await ratings.FollowUpAsync(rating, opened.Case, FollowUp, ct);
        return Redirect($"/r/{Uri.EscapeDataString(Token)}?done=true");
    }

    public async Task<IActionResult> OnPostSatisfactionAsync(CancellationToken ct)
    {
        var opened = await OpenAsync(ct);
        if (opened is null)
        {
            return Page();
        }

        var rating = await ratings.FindAsync(opened.Case.Id, opened.Link.Step, ct)
            ?? throw DomainException.Conflict("not_rated", "This case has not been rated.");
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.RatingId == rating.Id, ct)
            ?? throw DomainException.Conflict("no_work_order", "This rating has no work order to answer about.");
        var rater = new Caller(WorkOrderService.RaterByLink, null, null, null, null, null);
        await workOrders.ActAsync(order, WorkOrderAction.RecordSatisfaction,
            new WorkOrderActionRequest(null, null, null, null, null, null, null, null, null, Satisfaction, null, null, null), rater, ct);
        return Redirect($"/r/{Uri.EscapeDataString(Token)}?done=true");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var opened = await OpenAsync(ct);
        if (opened is null)
        {
            return;
        }

        var c = Case = opened.Case;
        var now = time.UtcNow();
        var names = await db.Items.Where(i => i.Id == c.ItemId).Select(i => new
        {
            i.Name,
            Agency = db.Agencies.Where(a => a.Id == c.AgencyId).Select(a => a.Name).First(),
        }).FirstAsync(ct);
        ItemName = names.Name;
        AgencyName = names.Agency;
        var staff = await db.Staff.Where(s => s.Id == c.StaffId).Select(s => new { s.Name, s.EmployeeNo }).FirstOrDefaultAsync(ct);
        StaffName = staff?.Name;
        StaffNo = staff?.EmployeeNo;
        Entry = CasesApi.EntryOf(c, now);
        var (groups, indicators, config) = await RatingFormView.OptionsAsync(db, configs, c, ct);
        AllTags = config.TagsByCode;
        Form = new RatingFormView(groups, indicators, Level, Tags, Text, Indicators);
        Existing = await ratings.FindAsync(c.Id, opened.Link.Step, ct);
        if (Existing is not null)
        {
            Order = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.RatingId == Existing.Id, ct);
        }
    }

    /// <summary>The checked link, or null with <see cref="LinkError"/> set and the status that says why.</summary>
    private async Task<OpenedLink?> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await flow.OpenAsync(Token, ct);
        }
        catch (DomainException e) when (e.Code is "forged_token" or "expired_token" or "foreign_token")
        {
            LinkError = e.Code;
            Response.StatusCode = e.Code == "expired_token" ? StatusCodes.Status410Gone : StatusCodes.Status403Forbidden;
            return null;
        }
    }
}
