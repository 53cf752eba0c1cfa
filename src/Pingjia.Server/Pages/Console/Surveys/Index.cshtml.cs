using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>The surveys of the caller's scope (through <see cref="SurveyService"/>).</summary>
public sealed class IndexModel(SurveyService surveys, Caller caller) : WebPageModel
{
    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Page<SurveySummary> Surveys { get; private set; } = new([], 0, 1, 50);

    public bool IsManager => SurveyService.Managers.Contains(caller.Role ?? Domain.Access.Role.Staff);

    [BindProperty]
    public string? Definition { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>A new survey from its definition (the same JSON as <c>POST /api/v1/surveys</c>).</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var created = await surveys.CreateAsync(caller, JsonForms.Read<SurveyRequest>(Definition, "definition"), ct);
        return Redirect($"/console/surveys/{Uri.EscapeDataString(created.Code)}");
    }

    public override async Task LoadAsync(CancellationToken ct) => Surveys = await surveys.ListAsync(caller, PageNumber, 50, ct);
}
