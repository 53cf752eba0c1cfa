using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;
using Pingjia.Server.Pages.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>
/// The interviewer's form for a phone survey: every question by its type (scale, single or multiple choice, number, text);
/// stored through <see cref="SurveyService.SubmitInterviewAsync"/>, which checks answers, conditions and quotas.
/// </summary>
public sealed class InterviewModel(SurveyService surveys, Caller caller) : WebPageModel
{
    [FromRoute]
    public string Code { get; set; } = "";

    [BindProperty]
    public string? Unit { get; set; }

    [BindProperty]
    public string? Stratum { get; set; }

    [BindProperty]
    public string? RespondentPhone { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Saved { get; set; }

    public SurveyView Survey { get; private set; } = null!;

    /// <summary>What was entered, by question code, to keep the form filled after a refused submission.</summary>
    public Dictionary<string, string[]> Entered { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var (answers, entered) = SurveyFormView.Read(Survey.Sections, Request.Form);
        Entered = entered;

        var receipt = await surveys.SubmitInterviewAsync(caller, Code, new InterviewRequest(
            string.IsNullOrWhiteSpace(Unit) ? null : Unit, string.IsNullOrWhiteSpace(Stratum) ? null : Stratum,
            string.IsNullOrWhiteSpace(RespondentPhone) ? null : RespondentPhone.Trim(), answers), ct);
        return Redirect($"/console/surveys/{Uri.EscapeDataString(Code)}/interview?saved={receipt.Status}");
    }

    public override async Task LoadAsync(CancellationToken ct) => Survey = await surveys.GetAsync(caller, Code, ct);
}
