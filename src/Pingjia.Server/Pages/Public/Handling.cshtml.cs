using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Ratings;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Public;

public sealed record HandledRow(
    DateTime RatedAt, string CaseNoMasked, string Agency, string Item, int Level, IReadOnlyList<string> Tags, WorkOrderState State,
    Verification? Verification, bool Rectified, DateTime? ClosedAt, bool? ClosedOnTime, HandlingSatisfaction? Satisfaction, bool Excluded);

/// <summary>
/// The public list of bad ratings and how each was handled. Masked: no rater, no free text (a comment may name someone),
/// the case number shortened; what is shown is the unit, the item, the level, the tags and the handling.
/// </summary>
public sealed class HandlingModel(PingjiaDbContext db, RatingConfigCache configs) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Region { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool? Closed { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Page<HandledRow> Rows { get; private set; } = new([], 0, 1, 50);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var orders = db.WorkOrders.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Region))
        {
            var code = Region.Trim();
            var path = await db.Regions.Where(r => r.Code == code).Select(r => r.Path).FirstOrDefaultAsync(ct)
                ?? throw Domain.DomainException.NotFound($"Region {code}");
            orders = orders.Where(o => db.Agencies.Any(a => a.Id == o.AgencyId && a.Region.Path.StartsWith(path)));
        }

        if (Closed is { } closed)
        {
            orders = closed ? orders.Where(o => o.State == WorkOrderState.Closed) : orders.Where(o => o.State != WorkOrderState.Closed);
        }

        var page = await orders.OrderByDescending(o => o.CreatedAt).ThenBy(o => o.No).ToPageAsync(PageNumber, 50, q => q.Select(o => new
        {
            o.CreatedAt,
            o.CaseNo,
            Agency = db.Agencies.Where(a => a.Id == o.AgencyId).Select(a => a.Name).First(),
            Item = db.Items.Where(i => db.Cases.Any(c => c.Id == o.CaseId && c.ItemId == i.Id)).Select(i => i.Name).First(),
            Rating = db.Ratings.Where(r => r.Id == o.RatingId).Select(r => new { r.Level, r.Tags, r.ConfigVersion, r.Excluded }).First(),
            o.State,
            o.Verification,
            o.Rectified,
            o.ClosedAt,
            o.ClosedOnTime,
            o.Satisfaction,
        }), ct);
        var rows = new List<HandledRow>();
        foreach (var o in page.Items)
        {
            var tags = (await RatingConfigApi.GetAsync(db, configs, o.Rating.ConfigVersion, ct)).TagsByCode;
            rows.Add(new HandledRow(o.CreatedAt, Mask(o.CaseNo), o.Agency, o.Item, o.Rating.Level,
                [.. o.Rating.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => tags.TryGetValue(c, out var t) ? t.Code : c)],
                o.State, o.Verification, o.Rectified, o.ClosedAt, o.ClosedOnTime, o.Satisfaction, o.Rating.Excluded));
        }

        Rows = new Page<HandledRow>(rows, page.Total, page.PageNumber, page.PageSize);
        AllTags = (await RatingConfigApi.CurrentAsync(db, configs, ct)).Config.TagsByCode;
    }

    public IReadOnlyDictionary<string, TagDefinition> AllTags { get; private set; } = new Dictionary<string, TagDefinition>();

    /// <summary>C05860-000001 → C05*****001: enough to recognise one's own case, not to look anyone up.</summary>
    public static string Mask(string caseNo) =>
        caseNo.Length <= 6 ? new string('*', caseNo.Length) : caseNo[..3] + new string('*', caseNo.Length - 6) + caseNo[^3..];
}
