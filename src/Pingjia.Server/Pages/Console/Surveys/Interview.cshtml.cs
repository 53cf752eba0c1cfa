using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain.Surveys;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>
/// The interviewer's form for a phone survey: every question by its type (scale, single or multiple choice, number, text);
/// stored through <see cref="SurveyService.SubmitInterviewAsync"/>, which checks answers, conditions and quotas.
/// </summary>
public sealed class InterviewModel(SurveyService surveys, Caller caller) : WebPageModel
{
    public const string AnswerField = "a:";

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
    public Dictionary<string, string[]> Entered { get; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var q in Survey.Sections.SelectMany(s => s.Questions))
        {
            var values = Request.Form[AnswerField + q.Code].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
            Entered[q.Code] = values;
            if (values.Length == 0)
            {
                continue;
            }

            answers[q.Code] = q.Type switch
            {
                QuestionType.MultipleChoice => JsonSerializer.SerializeToElement(values),
                QuestionType.Likert or QuestionType.Number when decimal.TryParse(values[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var d) =>
                    JsonSerializer.SerializeToElement(d),
                _ => JsonSerializer.SerializeToElement(values[0]),
            };
        }

        var receipt = await surveys.SubmitInterviewAsync(caller, Code, new InterviewRequest(
            string.IsNullOrWhiteSpace(Unit) ? null : Unit, string.IsNullOrWhiteSpace(Stratum) ? null : Stratum,
            string.IsNullOrWhiteSpace(RespondentPhone) ? null : RespondentPhone.Trim(), answers), ct);
        return Redirect($"/console/surveys/{Uri.EscapeDataString(Code)}/interview?saved={receipt.Status}");
    }

    public override async Task LoadAsync(CancellationToken ct) => Survey = await surveys.GetAsync(caller, Code, ct);

    public bool Has(string question, string value) => Entered.TryGetValue(question, out var v) && v.Contains(value);

    public string Value(string question) => Entered.TryGetValue(question, out var v) && v.Length > 0 ? v[0] : "";
}
