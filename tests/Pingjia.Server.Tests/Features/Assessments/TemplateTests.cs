using System.Text.Json;
using Pingjia.Domain.Assessments;
using Pingjia.Server.Tests.Cli;
using Pingjia.Server.Tests.Features.Health;

namespace Pingjia.Server.Tests.Features.Assessments;

[Collection("cli")]
public sealed class TemplateTests
{
    private static string Schemes => Path.Combine(PlatformTests.RepoRoot(), "schemes");

    [Fact]
    public async Task GovServiceTemplate_ReproducesHandWorkedExample()
    {
        var dir = Path.Combine(Schemes, "gov-service");
        var output = Path.Combine(Path.GetTempPath(), $"gov-{Guid.NewGuid():N}.json");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(),
            "assess", "run", "--scheme", Path.Combine(dir, "scheme.json"), "--input", Path.Combine(dir, "example-input.json"), "--out", output);
        Assert.True(exit == 0, stdout + stderr);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        // Worked by hand in schemes/gov-service/README.md.
        Assert.Equal(("B区政务服务中心", 1, 91.00m, "优秀"), (results[0].GetProperty("unit").GetString(), results[0].GetProperty("rank").GetInt32(), results[0].GetProperty("total").GetDecimal(), results[0].GetProperty("grade").GetString()));
        Assert.Equal(("A区政务服务中心", 2, 86.43m, "良好"), (results[1].GetProperty("unit").GetString(), results[1].GetProperty("rank").GetInt32(), results[1].GetProperty("total").GetDecimal(), results[1].GetProperty("grade").GetString()));
        Assert.Equal(86.425m, results[1].GetProperty("unrounded").GetDecimal());
    }

    [Fact]
    public void SchemeFile_BrokenScheme_ReportsEveryErrorWithItsPath()
    {
        const string broken = """
            { "code": "x", "root": { "code": "root", "points": 100, "children": [
                { "code": "a", "points": 40, "method": "manual" },
                { "code": "b", "points": 50, "method": "magic" },
                { "code": "c", "points": 5 } ] } }
            """;
        var (scheme, errors) = SchemeFile.Load(broken);
        Assert.Null(scheme);
        Assert.Contains(errors, e => e.Path == "root.points");
        Assert.Contains(errors, e => e.Path == "root.b.method" && e.Message.Contains("magic", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "root.c" && e.Message.Contains("method", StringComparison.Ordinal));
        Assert.Single(SchemeFile.Load("{ \"code\": 5 ").Errors);
    }

    [Fact]
    public async Task AssessRun_BrokenScheme_ExitsWithEveryError()
    {
        var scheme = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(scheme, """{ "code": "x", "root": { "code": "r", "points": 10, "children": [ { "code": "a", "points": 4, "method": "manual" } ] } }""");
        var (exit, _, stderr) = await CliRunner.RunAsync(new Dictionary<string, string?>(), "assess", "run", "--scheme", scheme, "--input", scheme);
        File.Delete(scheme);
        Assert.Equal(1, exit);
        Assert.Contains("r.points", stderr, StringComparison.Ordinal);
    }
}
