using System.Globalization;
using System.Text.Json;
using Pingjia.Domain.Surveys;

namespace Pingjia.Server.Pages.Surveys;

/// <summary>The questions of a questionnaire as a form, with what was entered (kept after a refused or partial submission).</summary>
public sealed record SurveyFormView(IReadOnlyList<Section> Sections, IReadOnlyDictionary<string, string[]> Entered)
{
    public const string AnswerField = "a:";

    public bool Has(string question, string value) => Entered.TryGetValue(question, out var v) && v.Contains(value);

    public string Value(string question) => Entered.TryGetValue(question, out var v) && v.Length > 0 ? v[0] : "";

    /// <summary>Reads the posted answers (fields <c>a:CODE</c>) into the API's shape: numbers for scales and numbers, lists for multiple choice.</summary>
    public static (Dictionary<string, JsonElement> Answers, Dictionary<string, string[]> Entered) Read(IReadOnlyList<Section> sections, IFormCollection form)
    {
        var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var entered = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var q in sections.SelectMany(s => s.Questions))
        {
            var values = form[AnswerField + q.Code].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
            entered[q.Code] = values;
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

        return (answers, entered);
    }
}
