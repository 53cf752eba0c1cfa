using System.Text.Json;
using Pingjia.Server.Tests.Cli;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Surveys;

[Collection("cli")]
public sealed class SurveyCliTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task FigureThenAssess_SurveyIndexBecomesTheUnitsScore()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        // Agency1: 4, 4, 3, 1 → mean 3, index (3 − 1)/3 × 100 = 66.666667. Agency2 gets no answers.
        foreach (var q1 in new[] { 4, 4, 3 })
        {
            await HttpAssert.Json(await s.InterviewAsync(code, new { q1 }), 201);
        }

        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 1, why = new[] { "slow" } }), 201);
        var env = CliRunner.EnvFor(factory);
        env["PINGJIA_DATA_KEY"] = PingjiaFactory.DataKey;
        var input = Path.Combine(factory.Folder, "survey-input.json");
        var (exit, output, error) = await CliRunner.RunAsync(env, "survey", "figure", code, "--node", "SAT", "--questions", "q1", "--period", "2026", "--out", input);
        Assert.True(exit == 0, output + error);
        Assert.Contains("no answers", error); // agency 2 is left out, not given a zero

        var names = JsonDocument.Parse(await File.ReadAllTextAsync(input)).RootElement.GetProperty("units");
        var unit = Assert.Single(names.EnumerateArray());
        Assert.Equal(66.666667m, unit.GetProperty("inputs").GetProperty("SAT").GetProperty("value").GetDecimal());
        Assert.Contains($"survey {code}", unit.GetProperty("inputs").GetProperty("SAT").GetProperty("source").GetString());

        var scheme = Path.Combine(factory.Folder, "scheme.json");
        await File.WriteAllTextAsync(scheme, JsonSerializer.Serialize(new
        {
            code = "SAT-TEST", name = "满意度测评", version = 1,
            root = new
            {
                code = "ROOT", name = "总分", points = 100,
                children = new object[] { new { code = "SAT", name = "群众满意度", points = 100, method = "survey", survey = code, figure = "satisfaction_index" } },
            },
        }));
        var result = Path.Combine(factory.Folder, "result.json");
        var run = await CliRunner.RunAsync(env, "assess", "run", "--scheme", scheme, "--input", input, "--period", "2026", "--out", result);
        Assert.True(run.Exit == 0, run.Out + run.Err);
        var scored = JsonDocument.Parse(await File.ReadAllTextAsync(result)).RootElement.GetProperty("results")[0];
        Assert.Equal(66.666667m, scored.GetProperty("unrounded").GetDecimal());
    }

    [Fact]
    public async Task Export_Results_WritesCsvFile()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4 }), 201);
        var env = CliRunner.EnvFor(factory);
        env["PINGJIA_DATA_KEY"] = PingjiaFactory.DataKey;
        var file = Path.Combine(factory.Folder, "results.csv");
        var (exit, output, error) = await CliRunner.RunAsync(env, "survey", "export", code, "--what", "results", "--format", "csv", "--out", file);
        Assert.True(exit == 0, output + error);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.StartsWith("question,unit,stratum,n,", lines[0].TrimStart('\uFEFF'));
        Assert.Contains(lines, l => l.StartsWith("q1,*,*,1,", StringComparison.Ordinal));
        Assert.Equal(1, (await CliRunner.RunAsync(env, "survey", "export", "NOPE", "--out", file)).Exit);
    }
}
