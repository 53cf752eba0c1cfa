using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Server.Tests.Cli;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

[Collection("cli")]
public sealed class StatsApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private string Today => DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime.AddHours(8)).ToString("yyyy-MM-dd");

    [Fact]
    public async Task Rank_SmallSample_NeverAboveLargeOne()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var small = await factory.NewAgencyAsync(s.District, s.Admin);
        var smallItem = "SMALL-" + small[^8..];
        await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/items",
            new { itemCode = smallItem, name = "小样本事项", itemType = "20", legalLimitDays = 5, promisedLimitDays = 1, issuesCertificate = false, agencyCreditCode = small }));
        for (var i = 0; i < 3; i++)
        {
            var no = RatingScenario.NewCaseNo();
            await s.PutCaseAsync(no, new { itemCode = smallItem, agencyCreditCode = small, serviceChannel = "window", status = "approved", applicant = new { type = "1" }, decidedAt = s.Now });
            await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5)), 201);
        }

        for (var i = 0; i < 40; i++)
        {
            var no = await s.FinishedCaseAsync();
            await HttpAssert.Json(await s.RateAsync(i < 36 ? RatingScenario.Rating(no, 5) : RatingScenario.Rating(no, 1, text: "慢")), 201);
        }

        var ranked = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&region={s.District}&groupBy=agency&rank=true&minN=30"), 200);
        var rows = ranked.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(s.Agency, rows[0].GetProperty("keys").GetProperty("agency").GetString());
        Assert.False(rows[0].GetProperty("rank").GetProperty("belowMinimum").GetBoolean());
        var smallRow = rows.Single(r => r.GetProperty("keys").GetProperty("agency").GetString() == small);
        Assert.True(smallRow.GetProperty("rank").GetProperty("belowMinimum").GetBoolean());
        Assert.Equal(3, smallRow.GetProperty("rank").GetProperty("n").GetInt64());
        Assert.Equal(1m, smallRow.GetProperty("figures").GetProperty("goodRate").GetProperty("value").GetDecimal()); // 100% good, yet ranked lower
    }

    [Fact]
    public async Task Stats_BadQuery_IsAValidationProblem()
    {
        var admin = factory.Client();
        await HttpAssert.Problem(await admin.GetAsync("/api/v1/stats"), 400, "validation_failed");
        await HttpAssert.Problem(await admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&groupBy=planet"), 400, "validation_failed");
        await HttpAssert.Problem(await admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&groupBy=month,day"), 400, "validation_failed");
        await HttpAssert.Problem(await admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&rank=true"), 400, "validation_failed");
        await HttpAssert.Problem(await admin.GetAsync("/api/v1/stats?from=2026-13-01&to=2026-01-01"), 400, "malformed_request");
        await HttpAssert.Problem(await admin.GetAsync($"/api/v1/stats?from={Today}&to={Today}&region=999999000000"), 404, "not_found");
    }

    [Fact]
    public async Task StatsRebuild_TamperedCounter_IsReportedAndRepaired()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 4, ["413"])), 201);
        var env = CliRunner.EnvFor(factory);
        env["PINGJIA_DATA_KEY"] = PingjiaFactory.DataKey;
        var (exit, output, _) = await CliRunner.RunAsync(env, "stats", "rebuild", "--check");
        Assert.True(exit == 0, output);
        Assert.StartsWith("ok", output.Trim(), StringComparison.Ordinal);

        using (var db = factory.Db())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE rating_counters SET \"A4\" = \"A4\" + 7");
        }

        (exit, output, _) = await CliRunner.RunAsync(env, "stats", "rebuild");
        Assert.Equal(1, exit);
        Assert.Contains("differed from a recount and were replaced", output, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync(env, "stats", "rebuild", "--check")).Exit);
    }
}
