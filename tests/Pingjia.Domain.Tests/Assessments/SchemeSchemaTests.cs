using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Pingjia.Domain.Assessments;

namespace Pingjia.Domain.Tests.Assessments;

/// <summary>The published JSON Schema (schemes/scheme.schema.json) accepts every template and rejects broken files.</summary>
public sealed class SchemeSchemaTests
{
    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    internal static string Schemes()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pingjia.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Repository root not found."), "schemes");
    }

    private static JsonSchema Schema() => JsonSchema.FromText(File.ReadAllText(Path.Combine(Schemes(), "scheme.schema.json")));

    public static TheoryData<string> Templates()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Schemes()).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_ValidatesAgainstPublishedSchemaAndLoads(string template)
    {
        var text = File.ReadAllText(Path.Combine(Schemes(), template, "scheme.json"));
        var result = Schema().Evaluate(JsonNode.Parse(text, documentOptions: Jsonc), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var (scheme, errors) = SchemeFile.Load(text);
        Assert.True(scheme is not null, string.Join("\n", errors));
        Assert.True(File.Exists(Path.Combine(Schemes(), template, "example-input.json")));
        Assert.True(File.Exists(Path.Combine(Schemes(), template, "README.md")));
    }

    [Fact]
    public void Schema_BrokenFiles_Rejected()
    {
        var schema = Schema();
        string[] broken =
        [
            """{ "code": "x", "root": { "code": "r", "points": 10 } }""",                                        // leaf without method
            """{ "code": "x", "root": { "code": "r", "points": 10, "method": "magic" } }""",                     // unknown method
            """{ "code": "x", "root": { "code": "r", "points": 10, "method": "quota" } }""",                     // quota without its numbers
            """{ "code": "x", "root": { "code": "r", "points": 10, "method": "manual", "colour": "red" } }""",   // unknown property
            """{ "code": "x", "rounding": { "mode": "bankers" }, "root": { "code": "r", "points": 10, "method": "manual" } }""",
        ];
        foreach (var json in broken)
        {
            Assert.False(schema.Evaluate(JsonNode.Parse(json)).IsValid, json);
        }

        Assert.True(schema.Evaluate(JsonNode.Parse("""{ "code": "x", "root": { "code": "r", "points": 10, "method": "manual" } }""")).IsValid);
    }
}
