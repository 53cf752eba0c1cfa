using Microsoft.AspNetCore.Mvc;
using Pingjia.Data;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Audit;

/// <summary>The audit log (newest first) and the check of its SM3 hash chain, for unscoped auditors and system admins.</summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? EntityType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? EntityId { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Page<AuditEntryResponse> Entries { get; private set; } = new([], 0, 1, 50);

    public AuditVerification? Verification { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken ct)
    {
        Verification = (await AuditApi.Verify(db, caller, ct)).Value;
        await LoadAsync(ct);
        return Page();
    }

    public override async Task LoadAsync(CancellationToken ct) =>
        Entries = (await AuditApi.List(db, caller, string.IsNullOrWhiteSpace(EntityType) ? null : EntityType.Trim(),
            string.IsNullOrWhiteSpace(EntityId) ? null : EntityId.Trim(), PageNumber, 50, ct)).Value!;
}
