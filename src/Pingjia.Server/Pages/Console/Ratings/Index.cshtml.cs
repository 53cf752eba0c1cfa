using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Ratings;

public sealed record RatingRow(
    Guid Id, DateTime CreatedAt, string CaseNo, string Item, string Agency, string? Staff, int Level, string Tags, string? Text, string? FollowUp,
    RatingChannel Channel, bool IsDefault, bool Excluded, string? ExcludedReason, string Applicant, int ConfigVersion);

/// <summary>Ratings of the caller's scope with filters; the applicant is always masked here.</summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller, PersonalData personal, RatingConfigCache configs, TimeProvider time) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Level { get; set; }

    [BindProperty(SupportsGet = true)]
    public RatingChannel? Channel { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? CaseNo { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Period Period { get; private set; } = null!;

    public Page<RatingRow> Rows { get; private set; } = new([], 0, 1, 50);

    public IReadOnlyDictionary<string, TagDefinition> Tags { get; private set; } = new Dictionary<string, TagDefinition>();

    public bool MayAppeal => caller.Role is Role.AgencyManager or Role.SystemAdmin;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Period = Period.Parse(From, To, time);
        int Day(DateOnly d) => (d.Year * 10000) + (d.Month * 100) + d.Day;
        var (from, to) = (Day(Period.From), Day(Period.To));
        var agencies = db.VisibleAgencies(caller);
        var query = db.Ratings.AsNoTracking().Where(r => agencies.Any(a => a.Id == r.AgencyId) && r.Day >= from && r.Day <= to);
        if (Level is { } level)
        {
            query = query.Where(r => r.Level == level);
        }

        if (Channel is { } channel)
        {
            query = query.Where(r => r.Channel == channel);
        }

        if (!string.IsNullOrWhiteSpace(CaseNo))
        {
            var no = CaseNo.Trim();
            query = query.Where(r => r.CaseNo == no);
        }

        var page = await query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id).ToPageAsync(PageNumber, 50, q => q.Select(r => new
        {
            Rating = r,
            Item = db.Items.Where(i => i.Id == r.ItemId).Select(i => i.Name).First(),
            Agency = db.Agencies.Where(a => a.Id == r.AgencyId).Select(a => a.Name).First(),
            Staff = db.Staff.Where(s => s.Id == r.StaffId).Select(s => s.Name + "（" + s.EmployeeNo + "）").FirstOrDefault(),
            Applicant = db.Cases.Where(c => c.Id == r.CaseId).Select(c => new { c.ApplicantNameEnc, c.MobileEnc }).First(),
        }), ct);
        Rows = new Page<RatingRow>([.. page.Items.Select(x => new RatingRow(
            x.Rating.Id, x.Rating.CreatedAt, x.Rating.CaseNo, x.Item, x.Agency, x.Staff, x.Rating.Level, x.Rating.Tags, x.Rating.Text, x.Rating.FollowUp,
            x.Rating.Channel, x.Rating.IsDefault, x.Rating.Excluded, x.Rating.ExcludedReason,
            (Masking.Name(personal.Decrypt(x.Applicant.ApplicantNameEnc)) + " " + Masking.Mobile(personal.Decrypt(x.Applicant.MobileEnc))).Trim(),
            x.Rating.ConfigVersion))], page.Total, page.PageNumber, page.PageSize);
        Tags = (await RatingConfigApi.CurrentAsync(db, configs, ct)).Config.TagsByCode;
    }
}
