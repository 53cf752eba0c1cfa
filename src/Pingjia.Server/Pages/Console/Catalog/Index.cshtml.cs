using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Catalog;

namespace Pingjia.Server.Pages.Console.Catalog;

public sealed record AgencyRow(string CreditCode, string Name, string Kind, string Region, bool IsActive);

public sealed record ItemRow(string ItemCode, string Name, string ItemType, int LegalLimitDays, int PromisedLimitDays, bool IssuesCertificate, string Agency);

public sealed record StaffRow(string Agency, string EmployeeNo, string Name, bool IsActive);

public sealed record WindowRow(Guid Id, string Agency, string Hall, string Number, string Name);

/// <summary>
/// The catalog of the caller's scope (agencies, items, staff, halls' windows with their device links), new entries, and
/// imports of CSV or XLSX files. Every write goes through <see cref="CatalogService"/> or <see cref="CatalogImport"/>.
/// </summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller, CatalogService catalog, TimeProvider time) : WebPageModel
{
    private const int Shown = 200;

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public IReadOnlyList<AgencyRow> Agencies { get; private set; } = [];

    public IReadOnlyList<ItemRow> Items { get; private set; } = [];

    public IReadOnlyList<StaffRow> Staff { get; private set; } = [];

    public IReadOnlyList<WindowRow> Windows { get; private set; } = [];

    public ImportReport? Report { get; private set; }

    public bool MayWriteAgencies => CatalogScope.AgencyWriters.Contains(caller.Role!.Value);

    public bool MayWriteItems => CatalogScope.ItemWriters.Contains(caller.Role!.Value);

    public bool MayWriteStaff => CatalogScope.StaffWriters.Contains(caller.Role!.Value);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAgencyAsync(string? creditCode, string? name, string? kind, string? regionCode, CancellationToken ct)
    {
        await catalog.SaveAgencyAsync(new AgencyRequest(creditCode?.Trim(), name, kind, regionCode?.Trim(), null), WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return Redirect("/console/catalog?done=agency");
    }

    public async Task<IActionResult> OnPostItemAsync(
        string? itemCode, string? name, string? itemType, int? legalLimitDays, int? promisedLimitDays, bool issuesCertificate, string? agencyCreditCode, CancellationToken ct)
    {
        await catalog.SaveItemAsync(new ItemRequest(itemCode?.Trim(), name, itemType, legalLimitDays, promisedLimitDays, issuesCertificate, agencyCreditCode?.Trim()), WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return Redirect("/console/catalog?done=item");
    }

    public async Task<IActionResult> OnPostStaffAsync(string? agencyCreditCode, string? employeeNo, string? name, CancellationToken ct)
    {
        await catalog.SaveStaffAsync(agencyCreditCode?.Trim() ?? "", new StaffRequest(employeeNo?.Trim(), name), WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return Redirect("/console/catalog?done=staff");
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, string? kind, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin, Role.AgencyManager, Role.Integration);
        var extension = Path.GetExtension(file?.FileName ?? "").ToLowerInvariant();
        if (file is null || file.Length == 0 || extension is not (".csv" or ".xlsx"))
        {
            throw DomainException.Invalid("validation_failed", "Choose a CSV or XLSX file.", "file");
        }

        // The importer reads files by path (XLSX needs seeking); the upload lives in a temporary file only for the import.
        var path = Path.Combine(Path.GetTempPath(), $"pingjia-import-{Guid.NewGuid():N}{extension}");
        try
        {
            await using (var stream = System.IO.File.Create(path))
            {
                await file.CopyToAsync(stream, ct);
            }

            Report = await CatalogImport.RunAsync(db, time, caller, path, string.IsNullOrEmpty(kind) ? null : kind, null, ct);
        }
        finally
        {
            System.IO.File.Delete(path);
        }

        await LoadAsync(ct);
        return Page();
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var agencies = db.VisibleAgencies(caller);
        Agencies = await agencies.AsNoTracking().OrderBy(a => a.Region.Path).ThenBy(a => a.Name).Take(Shown)
            .Select(a => new AgencyRow(a.CreditCode, a.Name, a.Kind, a.Region.Name, a.IsActive)).ToListAsync(ct);
        Items = await db.Items.AsNoTracking().Where(i => agencies.Any(a => a.Id == i.AgencyId)).OrderBy(i => i.ItemCode).Take(Shown)
            .Select(i => new ItemRow(i.ItemCode, i.Name, i.ItemType, i.LegalLimitDays, i.PromisedLimitDays, i.IssuesCertificate, i.Agency.Name)).ToListAsync(ct);
        Staff = await db.Staff.AsNoTracking().Where(s => agencies.Any(a => a.Id == s.AgencyId)).OrderBy(s => s.Agency.Name).ThenBy(s => s.EmployeeNo).Take(Shown)
            .Select(s => new StaffRow(s.Agency.Name, s.EmployeeNo, s.Name, s.IsActive)).ToListAsync(ct);
        Windows = await db.Windows.AsNoTracking().Where(w => w.IsActive && agencies.Any(a => a.Id == w.AgencyId)).OrderBy(w => w.Agency.Name).ThenBy(w => w.Number).Take(Shown)
            .Select(w => new WindowRow(w.Id, w.Agency.Name, db.Halls.Where(h => h.Id == w.HallId).Select(h => h.Name).First(), w.Number, w.Name)).ToListAsync(ct);
    }
}
