using System.Globalization;

namespace Pingjia.Domain.Surveys;

/// <summary>
/// An answer as it arrived, before it is checked against its question: a number, a text, a list of texts, or something
/// else (<see cref="Malformed"/>: an object, a boolean, a list holding non-texts).
/// </summary>
public sealed record RawAnswer(decimal? Number = null, string? Text = null, IReadOnlyList<string>? List = null, bool Malformed = false)
{
    public bool IsEmpty => Number is null && Text is null && List is null && !Malformed;
}

/// <summary>A checked answer; only the field of its question's type is set.</summary>
public sealed record Answer(int? Scale = null, string? Choice = null, IReadOnlyList<string>? Choices = null, decimal? Number = null, string? Text = null)
{
    /// <summary>The answer as a condition compares it: a scale value as text, or the chosen option's code.</summary>
    public string? ConditionValue => Scale?.ToString(CultureInfo.InvariantCulture) ?? Choice;
}

/// <summary>The checked answers of one response and whether every shown required question was answered.</summary>
public sealed record CheckedResponse(IReadOnlyDictionary<string, Answer> Answers, bool Complete, IReadOnlyList<string> MissingRequired);

/// <summary>Checks a response against its questionnaire: every answer against its question, conditions, required flags.</summary>
public static class ResponseRules
{
    /// <summary>
    /// Returns the normalised answers, or throws <c>invalid_answers</c> listing every bad answer by question code.
    /// Missing required answers do not fail: the response is kept as partial and says which ones are missing.
    /// </summary>
    public static CheckedResponse Check(Questionnaire questionnaire, IReadOnlyDictionary<string, RawAnswer>? raw)
    {
        raw ??= new Dictionary<string, RawAnswer>();
        var v = new Validation();
        foreach (var code in raw.Keys)
        {
            if (questionnaire.Find(code) is null)
            {
                v.Add($"answers.{code}", $"The questionnaire has no question {code}.");
            }
        }

        var answers = new Dictionary<string, Answer>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var q in questionnaire.Questions)
        {
            var field = $"answers.{q.Code}";
            var shown = IsShown(q, answers);
            raw.TryGetValue(q.Code, out var given);
            if (given is null || given.IsEmpty || (given.List is { Count: 0 }) || (given.Text is not null && given.Text.Trim().Length == 0 && q.Type == QuestionType.Text))
            {
                if (shown && q.Required)
                {
                    missing.Add(q.Code);
                }

                continue;
            }

            if (!shown)
            {
                v.Add(field, $"Question {q.Code} is not shown for the answers given (its condition is not met), so it takes no answer.");
                continue;
            }

            if (Convert(q, given, out var error) is { } answer)
            {
                answers[q.Code] = answer;
            }
            else
            {
                v.Add(field, error!);
            }
        }

        v.ThrowIfInvalid("invalid_answers");
        return new CheckedResponse(answers, missing.Count == 0, missing);
    }

    /// <summary>Whether a question is shown given the answers so far (conditions refer to earlier questions only).</summary>
    public static bool IsShown(Question q, IReadOnlyDictionary<string, Answer> answers) =>
        q.ShowIf is not { } cond
        || (answers.TryGetValue(cond.QuestionCode, out var a) && a.ConditionValue is { } value && cond.AnyOf.Contains(value));

    private static Answer? Convert(Question q, RawAnswer raw, out string? error)
    {
        error = null;
        switch (q.Type)
        {
            case QuestionType.Likert:
                if (raw.Number is { } n && n == decimal.Truncate(n) && n >= 1 && n <= q.Scale!.Points)
                {
                    return new Answer(Scale: (int)n);
                }

                error = $"Question {q.Code} takes a whole number from 1 to {q.Scale!.Points} ({string.Join(" / ", q.Scale.Labels.Select((l, i) => $"{i + 1} {l}"))}).";
                return null;
            case QuestionType.SingleChoice:
                if (raw.Text is { } code && q.OptionIndex(code) >= 0)
                {
                    return new Answer(Choice: code);
                }

                error = $"Question {q.Code} takes one of the option codes {string.Join(", ", q.Options!.Select(o => o.Code))}.";
                return null;
            case QuestionType.MultipleChoice:
                if (raw.List is { } list && list.All(c => q.OptionIndex(c) >= 0))
                {
                    var distinct = list.Distinct(StringComparer.Ordinal).ToList();
                    if (distinct.Count != list.Count)
                    {
                        error = $"Question {q.Code}: an option is chosen twice.";
                        return null;
                    }

                    if (q.MaxChoices is { } max && distinct.Count > max)
                    {
                        error = $"Question {q.Code} allows at most {max} choices.";
                        return null;
                    }

                    // Stored in the questionnaire's option order, so equal answers are equal rows.
                    return new Answer(Choices: [.. q.Options!.Select(o => o.Code).Where(distinct.Contains)]);
                }

                error = $"Question {q.Code} takes a list of option codes from {string.Join(", ", q.Options!.Select(o => o.Code))}.";
                return null;
            case QuestionType.Number:
                if (raw.Number is { } x && (q.Min is null || x >= q.Min) && (q.Max is null || x <= q.Max))
                {
                    return new Answer(Number: x);
                }

                error = $"Question {q.Code} takes a number{(q.Min is null ? "" : $" from {q.Min}")}{(q.Max is null ? "" : $" up to {q.Max}")}.";
                return null;
            case QuestionType.Text:
                var max2 = q.MaxLength ?? Question.DefaultTextLength;
                if (raw.Text is { } text && text.Trim().Length <= max2)
                {
                    return new Answer(Text: text.Trim());
                }

                error = $"Question {q.Code} takes a text of at most {max2} characters.";
                return null;
            default:
                error = "Unknown question type.";
                return null;
        }
    }
}

/// <summary>What happens when a cell of the sampling plan is full: refuse further responses, or accept them with a warning.</summary>
public enum QuotaMode
{
    Stop,
    Warn,
}

/// <summary>The target count of responses for one unit and stratum.</summary>
public sealed record QuotaTarget(string Unit, string Stratum, int Target);

/// <summary>The decision for one more response in a cell: accepted or not, and what the collector should be told.</summary>
public sealed record QuotaDecision(bool Accepted, int? Target, int CountAfter, string? Warning);

public static class Quotas
{
    /// <summary>
    /// Decides on one more response in a cell holding <paramref name="countBefore"/>. A cell without a target takes any number.
    /// Stop refuses once the target is reached (<c>quota_full</c>); warn accepts and says the target is exceeded.
    /// </summary>
    public static QuotaDecision Decide(int? target, int countBefore, QuotaMode mode)
    {
        if (target is not { } t)
        {
            return new QuotaDecision(true, null, countBefore + 1, null);
        }

        if (countBefore >= t)
        {
            if (mode == QuotaMode.Stop)
            {
                throw DomainException.Conflict("quota_full", $"The quota of this unit and stratum ({t}) is full; no further responses are taken.");
            }

            return new QuotaDecision(true, t, countBefore + 1, $"quota_exceeded: {countBefore + 1} responses for a target of {t}.");
        }

        return new QuotaDecision(true, t, countBefore + 1, countBefore + 1 == t ? $"quota_reached: the target of {t} is now met." : null);
    }
}
