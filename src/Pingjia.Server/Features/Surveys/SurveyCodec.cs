using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pingjia.Domain;
using Pingjia.Domain.Surveys;

namespace Pingjia.Server.Features.Surveys;

/// <summary>The stored forms of surveys: questionnaire and strata as JSON, answers as compact JSON, and their reading back.</summary>
public static class SurveyCodec
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string WriteSections(IReadOnlyList<Section> sections) => JsonSerializer.Serialize(sections, Json);

    public static Questionnaire ReadQuestionnaire(string document) =>
        Questionnaire.Create(JsonSerializer.Deserialize<List<Section>>(document, Json) ?? []);

    public static string WriteStrata(IReadOnlyList<StratumDefinition> strata) => JsonSerializer.Serialize(strata, Json);

    public static IReadOnlyList<StratumDefinition> ReadStrata(string json) => JsonSerializer.Deserialize<List<StratumDefinition>>(json, Json) ?? [];

    /// <summary>Turns the request's sections into the domain's, checking everything (errors by path, <c>invalid_questionnaire</c>).</summary>
    public static Questionnaire ToQuestionnaire(List<SectionRequest>? sections)
    {
        var v = new Validation();
        var list = new List<Section>();
        for (var s = 0; s < (sections?.Count ?? 0); s++)
        {
            var sr = sections![s];
            var questions = new List<Question>();
            for (var q = 0; q < (sr?.Questions?.Count ?? 0); q++)
            {
                var qr = sr!.Questions![q];
                var path = $"sections[{s}].questions[{q}]";
                if (qr is null || qr.Type is null)
                {
                    v.Add(path + ".type", "type is required: likert, single_choice, multiple_choice, number or text.");
                    continue;
                }

                LikertScale? scale = null;
                if (qr.Type == QuestionType.Likert)
                {
                    if (qr.ScalePreset is not null)
                    {
                        scale = LikertScale.Preset(qr.ScalePreset);
                        v.Check(scale is not null, path + ".scalePreset", "scalePreset is four_level or five_level.");
                        if (scale is not null && qr.SatisfiedFrom is { } from)
                        {
                            scale = scale with { SatisfiedFrom = from };
                        }
                    }
                    else if (qr.ScaleLabels is { } labels)
                    {
                        scale = new LikertScale(labels, qr.SatisfiedFrom ?? ((labels.Count / 2) + 1));
                    }
                }

                questions.Add(new Question(qr.Code!, qr.Text!, qr.Type.Value, qr.Required ?? false, scale,
                    qr.Options?.Select(o => new ChoiceOption(o?.Code!, o?.Label!)).ToList(), qr.Min, qr.Max, qr.MaxLength, qr.MaxChoices,
                    qr.ShowIf is null ? null : new ShowIf(qr.ShowIf.QuestionCode!, qr.ShowIf.AnyOf ?? [])));
            }

            list.Add(new Section(sr?.Code!, sr?.Title!, questions));
        }

        v.ThrowIfInvalid("invalid_questionnaire");
        return Questionnaire.Create(list);
    }

    /// <summary>Reads a request's answers into raw answers (numbers, texts, lists of texts; anything else is malformed).</summary>
    public static Dictionary<string, RawAnswer> ToRaw(Dictionary<string, JsonElement>? answers)
    {
        var raw = new Dictionary<string, RawAnswer>(StringComparer.Ordinal);
        foreach (var (code, e) in answers ?? [])
        {
            raw[code] = e.ValueKind switch
            {
                JsonValueKind.Number => e.TryGetDecimal(out var d) ? new RawAnswer(Number: d) : new RawAnswer(Malformed: true),
                JsonValueKind.String => new RawAnswer(Text: e.GetString()),
                JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) =>
                    new RawAnswer(List: [.. e.EnumerateArray().Select(x => x.GetString()!)]),
                JsonValueKind.Null or JsonValueKind.Undefined => new RawAnswer(),
                _ => new RawAnswer(Malformed: true),
            };
        }

        return raw;
    }

    /// <summary>Writes checked answers compactly, in questionnaire order.</summary>
    public static string WriteAnswers(Questionnaire q, IReadOnlyDictionary<string, Answer> answers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Json.Encoder }))
        {
            w.WriteStartObject();
            foreach (var question in q.Questions)
            {
                if (!answers.TryGetValue(question.Code, out var a))
                {
                    continue;
                }

                w.WritePropertyName(question.Code);
                switch (question.Type)
                {
                    case QuestionType.Likert:
                        w.WriteNumberValue(a.Scale!.Value);
                        break;
                    case QuestionType.SingleChoice:
                        w.WriteStringValue(a.Choice);
                        break;
                    case QuestionType.MultipleChoice:
                        w.WriteStartArray();
                        foreach (var c in a.Choices!)
                        {
                            w.WriteStringValue(c);
                        }

                        w.WriteEndArray();
                        break;
                    case QuestionType.Number:
                        w.WriteNumberValue(a.Number!.Value);
                        break;
                    default:
                        w.WriteStringValue(a.Text);
                        break;
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Puts one stored response's answers into a row of <paramref name="data"/>, by question code against the questionnaire
    /// being analysed; an answer that no longer fits its question (a removed option, a shrunk scale) is left out.
    /// </summary>
    public static void ReadAnswersInto(SurveyData data, int row, string answersJson)
    {
        var q = data.Questionnaire;
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(answersJson));
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = q.IndexOf(reader.GetString()!);
            reader.Read();
            if (index < 0)
            {
                reader.Skip();
                continue;
            }

            var question = q.Questions[index];
            switch (question.Type)
            {
                case QuestionType.Likert when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) && v >= 1 && v <= question.Scale!.Points:
                    data.SetCategory(row, index, v);
                    break;
                case QuestionType.SingleChoice when reader.TokenType == JsonTokenType.String:
                    var option = question.OptionIndex(reader.GetString()!);
                    if (option >= 0)
                    {
                        data.SetCategory(row, index, option + 1);
                    }

                    break;
                case QuestionType.MultipleChoice when reader.TokenType == JsonTokenType.StartArray:
                    var choices = new List<string>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        if (question.OptionIndex(reader.GetString()!) >= 0)
                        {
                            choices.Add(reader.GetString()!);
                        }
                    }

                    data.Set(row, index, new Answer(Choices: choices));
                    break;
                case QuestionType.Number when reader.TokenType == JsonTokenType.Number:
                    data.Set(row, index, new Answer(Number: reader.GetDecimal()));
                    break;
                case QuestionType.Text when reader.TokenType == JsonTokenType.String:
                    data.SetCategory(row, index, reader.ValueSpan.Length > 0 ? 1 : 0);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    /// <summary>A stored response's answers as JSON values, for listings and exports.</summary>
    public static Dictionary<string, JsonElement> ReadAnswers(string answersJson) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(answersJson) ?? [];
}
