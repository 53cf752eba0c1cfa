using System.Globalization;

namespace Pingjia.Domain.Surveys;

/// <summary>The kinds of question a questionnaire can ask.</summary>
public enum QuestionType
{
    /// <summary>A rating scale 1..k with a label per point (满意 … 不满意).</summary>
    Likert,
    SingleChoice,
    MultipleChoice,
    Number,
    Text,
}

/// <summary>An option of a choice question, identified by a code that answers carry.</summary>
public sealed record ChoiceOption(string Code, string Label);

/// <summary>
/// A rating scale. <see cref="Labels"/> run from the lowest point (value 1) to the highest (value k);
/// answers at or above <see cref="SatisfiedFrom"/> count as satisfied.
/// </summary>
public sealed record LikertScale(IReadOnlyList<string> Labels, int SatisfiedFrom)
{
    public int Points => Labels.Count;

    /// <summary>The seeds' four-level scale: 不满意 1, 不太满意 2, 比较满意 3, 满意 4; satisfied = 比较满意 and 满意.</summary>
    public static LikertScale FourLevel { get; } = new(["不满意", "不太满意", "比较满意", "满意"], 3);

    /// <summary>The five-level scale of 好差评: 非常不满意 1 … 非常满意 5; satisfied = 基本满意 and above (as the ratings' 满意率).</summary>
    public static LikertScale FiveLevel { get; } = new(["非常不满意", "不满意", "基本满意", "满意", "非常满意"], 3);

    /// <summary>A preset by name: <c>four_level</c> or <c>five_level</c>; null for an unknown name.</summary>
    public static LikertScale? Preset(string? name) => name switch
    {
        "four_level" => FourLevel,
        "five_level" => FiveLevel,
        _ => null,
    };

    public string LabelOf(int value) => value >= 1 && value <= Points ? Labels[value - 1] : value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Show a question only when an earlier question's answer is one of <see cref="AnyOf"/> (scale values as text, choice codes).</summary>
public sealed record ShowIf(string QuestionCode, IReadOnlyList<string> AnyOf);

/// <summary>One question. Only the fields of its type are used: scale (Likert), options (choices), min/max (number), max length (text).</summary>
public sealed record Question(
    string Code, string Text, QuestionType Type, bool Required = false, LikertScale? Scale = null, IReadOnlyList<ChoiceOption>? Options = null,
    decimal? Min = null, decimal? Max = null, int? MaxLength = null, int? MaxChoices = null, ShowIf? ShowIf = null)
{
    public const int DefaultTextLength = 2000;

    public bool IsCategorical => Type is QuestionType.Likert or QuestionType.SingleChoice;

    /// <summary>Number of categories of a categorical or multiple-choice question (scale points or options).</summary>
    public int Categories => Type == QuestionType.Likert ? Scale!.Points : Options?.Count ?? 0;

    public int OptionIndex(string code)
    {
        for (var i = 0; i < (Options?.Count ?? 0); i++)
        {
            if (Options![i].Code == code)
            {
                return i;
            }
        }

        return -1;
    }
}

public sealed record Section(string Code, string Title, IReadOnlyList<Question> Questions);

/// <summary>
/// The questions of one questionnaire version, in sections. Immutable; a change makes a new version.
/// Show-if conditions may only refer to earlier categorical questions, so the order of questions is the order of evaluation.
/// </summary>
public sealed class Questionnaire
{
    public const int MaxQuestions = 200;

    private readonly Dictionary<string, int> _index;

    private Questionnaire(IReadOnlyList<Section> sections)
    {
        Sections = sections;
        Questions = [.. sections.SelectMany(s => s.Questions)];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Questions.Count; i++)
        {
            _index[Questions[i].Code] = i;
        }
    }

    public IReadOnlyList<Section> Sections { get; }

    /// <summary>All questions in order; an answer vector is indexed by this order.</summary>
    public IReadOnlyList<Question> Questions { get; }

    public int IndexOf(string code) => _index.TryGetValue(code, out var i) ? i : -1;

    public Question? Find(string code) => _index.TryGetValue(code, out var i) ? Questions[i] : null;

    /// <summary>Checks the structure and returns the questionnaire, or throws <c>invalid_questionnaire</c> with errors by path.</summary>
    public static Questionnaire Create(IReadOnlyList<Section>? sections)
    {
        var v = new Validation();
        if (sections is null || sections.Count == 0)
        {
            v.Add("sections", "A questionnaire needs at least one section.");
            v.ThrowIfInvalid("invalid_questionnaire");
        }

        var seen = new Dictionary<string, Question>(StringComparer.Ordinal);
        var sectionCodes = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        for (var s = 0; s < sections!.Count; s++)
        {
            var section = sections[s];
            var sp = $"sections[{s}]";
            CheckCode(v, section.Code, sp + ".code");
            v.Check(section.Code is null || sectionCodes.Add(section.Code), sp + ".code", $"Section code {section.Code} is used twice.");
            v.Check(!string.IsNullOrWhiteSpace(section.Title) && section.Title.Length <= 200, sp + ".title", "A section needs a title of at most 200 characters.");
            if (section.Questions is null || section.Questions.Count == 0)
            {
                v.Add(sp + ".questions", "A section needs at least one question.");
                continue;
            }

            for (var q = 0; q < section.Questions.Count; q++)
            {
                var question = section.Questions[q];
                var qp = $"{sp}.questions[{q}]";
                total++;
                CheckQuestion(v, question, qp, seen);
                if (question.Code is not null && !seen.TryAdd(question.Code, question))
                {
                    v.Add(qp + ".code", $"Question code {question.Code} is used twice.");
                }
            }
        }

        v.Check(total <= MaxQuestions, "sections", $"At most {MaxQuestions} questions.");
        v.ThrowIfInvalid("invalid_questionnaire");
        return new Questionnaire(sections);
    }

    private static void CheckCode(Validation v, string? code, string path) =>
        v.Check(code is { Length: >= 1 and <= 32 } && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'),
            path, "A code has 1 to 32 letters, digits, '_', '-' or '.'.");

    private static void CheckQuestion(Validation v, Question q, string path, Dictionary<string, Question> earlier)
    {
        CheckCode(v, q.Code, path + ".code");
        v.Check(!string.IsNullOrWhiteSpace(q.Text) && q.Text.Length <= 500, path + ".text", "A question needs a text of at most 500 characters.");
        switch (q.Type)
        {
            case QuestionType.Likert:
                if (q.Scale is null || q.Scale.Labels is null || q.Scale.Labels.Count is < 2 or > 11)
                {
                    v.Add(path + ".scale", "A Likert question needs a scale of 2 to 11 labelled points.");
                }
                else
                {
                    v.Check(q.Scale.Labels.All(l => !string.IsNullOrWhiteSpace(l) && l.Length <= 50), path + ".scale.labels", "Every scale point needs a label of at most 50 characters.");
                    v.Check(q.Scale.SatisfiedFrom >= 2 && q.Scale.SatisfiedFrom <= q.Scale.Points, path + ".scale.satisfiedFrom", "satisfiedFrom must be a point of the scale above the lowest.");
                }

                break;
            case QuestionType.SingleChoice or QuestionType.MultipleChoice:
                if (q.Options is null || q.Options.Count is < 2 or > 60)
                {
                    v.Add(path + ".options", "A choice question needs 2 to 60 options.");
                }
                else
                {
                    for (var i = 0; i < q.Options.Count; i++)
                    {
                        CheckCode(v, q.Options[i].Code, $"{path}.options[{i}].code");
                        v.Check(!string.IsNullOrWhiteSpace(q.Options[i].Label) && q.Options[i].Label.Length <= 200, $"{path}.options[{i}].label", "An option needs a label of at most 200 characters.");
                    }

                    v.Check(q.Options.Select(o => o.Code).Distinct(StringComparer.Ordinal).Count() == q.Options.Count, path + ".options", "Option codes must differ.");
                    v.Check(q.MaxChoices is null || (q.Type == QuestionType.MultipleChoice && q.MaxChoices >= 1 && q.MaxChoices <= q.Options.Count),
                        path + ".maxChoices", "maxChoices is for multiple choice, between 1 and the number of options.");
                }

                break;
            case QuestionType.Number:
                v.Check(q.Min is null || q.Max is null || q.Min <= q.Max, path + ".max", "max must not be below min.");
                break;
            case QuestionType.Text:
                v.Check(q.MaxLength is null or (>= 1 and <= Question.DefaultTextLength), path + ".maxLength", $"maxLength is between 1 and {Question.DefaultTextLength}.");
                break;
            default:
                v.Add(path + ".type", "Unknown question type.");
                break;
        }

        if (q.ShowIf is { } cond)
        {
            if (cond.QuestionCode is null || !earlier.TryGetValue(cond.QuestionCode, out var target))
            {
                v.Add(path + ".showIf.questionCode", "A condition must refer to an earlier question.");
            }
            else if (!target.IsCategorical || (target.Type == QuestionType.Likert ? target.Scale?.Labels is null : target.Options is null))
            {
                v.Add(path + ".showIf.questionCode", "A condition must refer to a Likert or single-choice question.");
            }
            else if (cond.AnyOf is null || cond.AnyOf.Count == 0 || cond.AnyOf.Any(a => !IsValueOf(target, a)))
            {
                v.Add(path + ".showIf.anyOf", $"anyOf must list answers of question {target.Code} (scale values or option codes).");
            }
        }
    }

    private static bool IsValueOf(Question q, string value) => q.Type == QuestionType.Likert
        ? int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= q.Scale!.Points
        : q.OptionIndex(value) >= 0;
}
