using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Kiosk;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;
using Pingjia.Server.Pages.Rate;

namespace Pingjia.Server.Pages.Kiosk;

/// <summary>
/// The hall rating device of one window: idle until a case is finished there, then the case (item, case number, staff
/// name and number) and the rating form; back to idle after the rating or a timeout. Ratings go through
/// <see cref="RatingService"/> with the hall-device channel, for the case the device showed and nothing else.
/// </summary>
public sealed class IndexModel(PingjiaDbContext db, RatingService ratings, RatingConfigCache configs, TimeProvider time) : WebPageModel
{
    /// <summary>Seconds without a touch after which the device drops the form and goes back to idle.</summary>
    public const int IdleAfterSeconds = 120;

    [FromRoute]
    public Guid WindowId { get; set; }

    [BindProperty]
    public int? Level { get; set; }

    [BindProperty]
    public List<string> Tags { get; set; } = [];

    [BindProperty]
    public string? Text { get; set; }

    [BindProperty]
    public string? CaseNo { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Thanks { get; set; }

    public string WindowName { get; private set; } = "";

    public string AgencyName { get; private set; } = "";

    public Case? Case { get; private set; }

    public string ItemName { get; private set; } = "";

    public string? StaffName { get; private set; }

    public string? StaffNo { get; private set; }

    public RatingFormView? Form { get; private set; }

    /// <summary>Changes whenever another case is shown; the idle page polls it.</summary>
    public string Marker => Case?.CaseNo ?? "";

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>What the idle device polls: a marker that changes when a case is waiting (no case details).</summary>
    public async Task<IActionResult> OnGetStateAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return new JsonResult(new { marker = Case is null ? "" : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Case.CaseNo)))[..16] });
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        // Rate only the case this device showed, and only while it is still the window's current case.
        if (Case is null || Case.CaseNo != CaseNo)
        {
            throw DomainException.Conflict("kiosk_case_changed", "The case shown on this device is no longer open for rating here.");
        }

        var input = new RatingInput(Level ?? 0, RatingFormView.ReadIndicators(Request.Form), Tags.Distinct().ToList(), Text);
        await ratings.SubmitAsync(new Submission(Case, RatingService.MainStep, input, RatingChannel.HallDevice, Case.MobileIndex ?? Case.IdNumberIndex, []), ct);
        return Redirect($"/kiosk/{WindowId}?thanks=true");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var window = await db.Windows.AsNoTracking().Where(w => w.Id == WindowId && w.IsActive)
            .Select(w => new { w.Number, w.Name, Agency = w.Agency.Name }).FirstOrDefaultAsync(ct)
            ?? throw DomainException.NotFound("Window");
        WindowName = $"{window.Number} {window.Name}";
        AgencyName = window.Agency;
        var now = time.UtcNow();
        var since = now - KioskApi.ShownFor;
        var current = await db.WindowCurrentCases.AsNoTracking().FirstOrDefaultAsync(x => x.WindowId == WindowId && x.SetAt > since, ct);
        var c = current is null ? null : await db.Cases.FirstOrDefaultAsync(x => x.Id == current.CaseId, ct);
        if (c is null || CasesApi.EntryOf(c, now).State != "open")
        {
            return;
        }

        Case = c;
        ItemName = await db.Items.Where(i => i.Id == c.ItemId).Select(i => i.Name).FirstAsync(ct);
        var staff = await db.Staff.Where(s => s.Id == c.StaffId).Select(s => new { s.Name, s.EmployeeNo }).FirstOrDefaultAsync(ct);
        StaffName = staff?.Name;
        StaffNo = staff?.EmployeeNo;
        var (groups, indicators, _) = await RatingFormView.OptionsAsync(db, configs, c, ct);
        Form = new RatingFormView(groups, indicators, Level, Tags, Text, Request.HasFormContentType ? RatingFormView.ReadIndicators(Request.Form) : [], c.CaseNo);
    }
}
