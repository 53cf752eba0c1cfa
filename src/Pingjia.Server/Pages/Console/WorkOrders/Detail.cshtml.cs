using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.WorkOrders;

/// <summary>
/// One work order: the rating behind it, the applicant masked (shown in clear, audited, to those who must call them),
/// its deadlines and history, and a form for each step the caller's role may take now. Every step goes through
/// <see cref="WorkOrderService"/>, which checks role, scope and the state machine again.
/// </summary>
public sealed class DetailModel(
    PingjiaDbContext db, Caller caller, WorkOrderService service, RatingConfigCache configs, PersonalData personal, AuditLog audit)
    : WebPageModel
{
    [FromRoute]
    public string No { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public WorkOrderResponse Order { get; private set; } = null!;

    public Rating Rating { get; private set; } = null!;

    public string ItemName { get; private set; } = "";

    public string AgencyName { get; private set; } = "";

    public string? Staff { get; private set; }

    public IReadOnlyDictionary<string, TagDefinition> Tags { get; private set; } = new Dictionary<string, TagDefinition>();

    public (string Name, string Mobile, bool Masked) Applicant { get; private set; }

    public bool MayReveal => PersonalDataAccess.MayReveal(caller);

    /// <summary>The steps this caller may take now (state machine ∩ role).</summary>
    public IReadOnlyList<WorkOrderAction> Actions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostRevealAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!MayReveal)
        {
            throw new DomainException(ErrorKind.Forbidden, "personal_data_forbidden", "Your role may not see personal data in clear.");
        }

        var c = await db.Cases.AsNoTracking().FirstAsync(x => x.Id == Rating.CaseId, ct);
        audit.Record("personal_data.revealed", "case", c.CaseNo, new { fields = new[] { "applicant" }, workOrder = No });
        await audit.SaveAsync(ct);
        Applicant = (personal.Decrypt(c.ApplicantNameEnc) ?? "", personal.Decrypt(c.MobileEnc) ?? "", false);
        return Page();
    }

    public async Task<IActionResult> OnPostActAsync(
        string? action, string? note, string? method, string? summary, Verification? outcome, string? measures, string? evidence,
        string? explanation, string? reason, HandlingSatisfaction? satisfaction, string? target, int? workingDays, bool? approve, CancellationToken ct)
    {
        if (!Enum.TryParse<WorkOrderAction>((action ?? "").Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var step))
        {
            throw DomainException.Invalid("validation_failed", "Unknown action.", "action");
        }

        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.No == No, ct) ?? throw DomainException.NotFound($"Work order {No}");
        var refs = evidence?.Split([',', '，', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        await service.ActAsync(order, step, new WorkOrderActionRequest(
            note, null, method, summary, outcome, measures, refs is { Count: > 0 } ? refs : null, explanation, reason, satisfaction, target, workingDays, approve), caller, ct);
        return Redirect($"/console/work-orders/{Uri.EscapeDataString(No)}?done={WorkOrderService.ToWire(step)}");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var order = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.No == No && db.VisibleAgencies(caller).Any(a => a.Id == o.AgencyId), ct)
            ?? throw DomainException.NotFound($"Work order {No}");
        Order = await WorkOrdersApi.ToResponseAsync(db, order, withEvents: true, ct);
        Rating = await db.Ratings.AsNoTracking().FirstAsync(r => r.Id == order.RatingId, ct);
        var c = await db.Cases.AsNoTracking().FirstAsync(x => x.Id == order.CaseId, ct);
        ItemName = await db.Items.Where(i => i.Id == c.ItemId).Select(i => i.Name).FirstAsync(ct);
        AgencyName = await db.Agencies.Where(a => a.Id == order.AgencyId).Select(a => a.Name).FirstAsync(ct);
        Staff = await db.Staff.Where(s => s.Id == c.StaffId).Select(s => s.Name + "（" + s.EmployeeNo + "）").FirstOrDefaultAsync(ct);
        Tags = (await RatingConfigApi.GetAsync(db, configs, Rating.ConfigVersion, ct)).TagsByCode;
        Applicant = (Masking.Name(personal.Decrypt(c.ApplicantNameEnc)), Masking.Mobile(personal.Decrypt(c.MobileEnc)), true);
        var unit = caller.Role is Role.AgencyManager or Role.SystemAdmin;
        var supervisor = caller.Role is Role.BureauAdmin or Role.SystemAdmin;
        Actions = [.. Order.AllowedActions.Where(a => WorkOrderRules.ActorOf(a) == WorkOrderActor.Unit ? unit : supervisor)
            .Where(a => a switch
            {
                WorkOrderAction.DecideReroute => Order.ReroutePending,
                WorkOrderAction.DecideExtension => Order.ExtensionPending is not null,
                WorkOrderAction.RequestReroute => !Order.ReroutePending,
                WorkOrderAction.RequestExtension => Order.ExtensionPending is null && Order.ReplyDueAt is not null,
                WorkOrderAction.RecordSatisfaction => Order.Satisfaction is null,
                _ => true,
            })];
    }

    /// <summary>An event's data as short "key: value" lines for the history.</summary>
    public static IEnumerable<(string Key, string Value)> Describe(JsonElement data) =>
        data.ValueKind != JsonValueKind.Object ? [] : data.EnumerateObject()
            .Where(p => p.Value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined)
            .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.Array
                ? string.Join("、", p.Value.EnumerateArray().Select(v => v.ToString()))
                : (p.Name, p.Value.ValueKind) switch
                {
                    // Outcomes are stored as numbers; show their names.
                    ("outcome", JsonValueKind.Number) when Enum.IsDefined((Verification)p.Value.GetInt32()) => WorkOrderTexts.Verification((Verification)p.Value.GetInt32()),
                    ("satisfaction", JsonValueKind.Number) when Enum.IsDefined((HandlingSatisfaction)p.Value.GetInt32()) => WorkOrderTexts.Satisfaction((HandlingSatisfaction)p.Value.GetInt32()),
                    _ => p.Value.ToString(),
                }));
}
