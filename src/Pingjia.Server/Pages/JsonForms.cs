using System.Text.Json;
using Pingjia.Domain;

namespace Pingjia.Server.Pages;

/// <summary>Forms that take a JSON document (survey definitions, assessment schemes): read with the API's own options.</summary>
public static class JsonForms
{
    private static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PingjiaApp.ConfigureJson(o);
        return o;
    }

    public static T Read<T>(string? text, string field)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text ?? "", Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid("malformed_json", $"The JSON is not valid here (at {e.Path ?? "$"}).", field);
        }
    }

    public static JsonElement Element(string? text, string field)
    {
        try
        {
            using var doc = JsonDocument.Parse(text ?? "", new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw DomainException.Invalid("malformed_json", "The text is not valid JSON.", field);
        }
    }
}
