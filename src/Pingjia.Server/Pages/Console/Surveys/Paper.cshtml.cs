using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain;
using Pingjia.Domain.Surveys;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>
/// Paper batch entry: the forms of one bundle typed as rows (form number, unit, stratum, then one column per question;
/// several choices separated by |), stored as one batch through <see cref="SurveyService.SubmitPaperBatchAsync"/>.
/// </summary>
public sealed class PaperModel(SurveyService surveys, Caller caller) : WebPageModel
{
    [FromRoute]
    public string Code { get; set; } = "";

    [BindProperty]
    public string? BatchNo { get; set; }

    [BindProperty]
    public string? Rows { get; set; }

    public SurveyView Survey { get; private set; } = null!;

    public PaperBatchReceipt? Receipt { get; private set; }

    public IReadOnlyList<Question> Questions => [.. Survey.Sections.SelectMany(s => s.Questions)];

    public string Header => string.Join(",", new[] { "form_no", "unit", "stratum" }.Concat(Questions.Select(q => q.Code)));

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var forms = new List<PaperFormRequest>();
        var lines = (Rows ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',', StringSplitOptions.TrimEntries);
            if (cells.Length < 3 || cells.Length > 3 + Questions.Count)
            {
                throw DomainException.Invalid("validation_failed", $"Row {i + 1} has {cells.Length} columns; the header is {Header}.", "rows");
            }

            var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            for (var c = 3; c < cells.Length; c++)
            {
                var q = Questions[c - 3];
                if (cells[c].Length == 0)
                {
                    continue;
                }

                answers[q.Code] = q.Type switch
                {
                    QuestionType.MultipleChoice => JsonSerializer.SerializeToElement(cells[c].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
                    QuestionType.Likert or QuestionType.Number when decimal.TryParse(cells[c], NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => JsonSerializer.SerializeToElement(d),
                    _ => JsonSerializer.SerializeToElement(cells[c]),
                };
            }

            forms.Add(new PaperFormRequest(cells[0], cells[1].Length == 0 ? null : cells[1], cells[2].Length == 0 ? null : cells[2], answers));
        }

        Receipt = await surveys.SubmitPaperBatchAsync(caller, Code, new PaperBatchRequest(BatchNo?.Trim(), forms), ct);
        return Page();
    }

    public override async Task LoadAsync(CancellationToken ct) => Survey = await surveys.GetAsync(caller, Code, ct);
}
