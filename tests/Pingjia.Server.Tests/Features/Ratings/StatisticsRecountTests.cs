using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pingjia.Server.Tests.Features.Ratings;

/// <summary>
/// A generated district history of 100,000 cases (PINGJIA_TEST_DATASET changes the size). The first 36 days are written
/// as raw rows in bulk and counted by the production rebuild; the last 4 days happen live: cases through the intake API,
/// ratings through the ratings API (batches, follow-ups, exclusions), windows closing into defaults through the real job.
/// Every figure of the statistics endpoint, for every grouping, must then equal a brute-force recount done here.
/// </summary>
public sealed class StatisticsRecountTests(PingjiaFactory factory, ITestOutputHelper output) : IClassFixture<PingjiaFactory>
{
    private static int Size => int.TryParse(Environment.GetEnvironmentVariable("PINGJIA_TEST_DATASET"), out var n) ? n : 100_000;

    private const int Days = 40;
    private const int LiveDays = 4;
    private const int LivePerDay = 400;

    [Fact]
    public async Task Stats_GeneratedDataset_EqualsBruteForceRecount()
    {
        var watch = Stopwatch.StartNew();
        var s = await RatingScenario.CreateAsync(factory);
        var (agencies, items) = await CatalogAsync(s);
        var start = factory.Clock.GetUtcNow();
        await BulkHistoryAsync(items);
        output.WriteLine($"bulk history in {watch.Elapsed}");
        await GenerateAsync(s, items);
        output.WriteLine($"generated {Size} cases in {watch.Elapsed}");

        var from = DateOnly.FromDateTime(start.UtcDateTime.AddHours(8));
        var to = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime.AddHours(8));
        var truth = await RecountAsync(agencies);
        Assert.True(truth.Count(r => r.IsDefault) > 0 && truth.Count(r => r.Excluded) > 0 && truth.Count(r => r.FollowUp) > 0 && truth.Count(r => r.Batch) > 0);

        foreach (var groupBy in new[] { "", "agency", "month", "day", "channel", "item", "staff", "region", "agency,month", "item,channel" })
        {
            var response = await HttpAssert.Json(await s.Admin.GetAsync(
                $"/api/v1/stats?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&region={s.District}&groupBy={groupBy}"), 200);
            var dims = groupBy.Split(',', StringSplitOptions.RemoveEmptyEntries);
            var expected = truth.Cases.GroupBy(c => Key(dims, c.Keys)).ToDictionary(g => g.Key, g => g.ToList());
            var expectedRatings = truth.Ratings.GroupBy(r => Key(dims, r.Keys)).ToDictionary(g => g.Key, g => g.ToList());
            var rows = response.GetProperty("rows").EnumerateArray().ToList();
            var keys = expected.Keys.Union(expectedRatings.Keys).ToList();
            Assert.True(keys.Count == rows.Count, $"groupBy={groupBy}: {rows.Count} rows, recount has {keys.Count}");
            foreach (var row in rows)
            {
                var key = string.Join('|', dims.Select(d => row.GetProperty("keys").GetProperty(d).GetString()));
                AssertFigures(groupBy + " " + key, row.GetProperty("figures"), expected.GetValueOrDefault(key) ?? [], expectedRatings.GetValueOrDefault(key) ?? []);
            }

            if (dims.Length == 0)
            {
                AssertFigures("total", response.GetProperty("total"), truth.Cases, truth.Ratings);
            }
        }

        using var db = factory.Db();
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
        output.WriteLine($"checked in {watch.Elapsed}");
    }

    private static string Key(string[] dims, IReadOnlyDictionary<string, string> keys) => string.Join('|', dims.Select(d => keys[d]));

    /// <summary>The brute force: straight from the definitions in DESIGN.md (Statistics), over the rows in memory.</summary>
    private static void AssertFigures(string what, JsonElement f, List<CaseFact> cases, List<RatingFact> ratings)
    {
        var valid = ratings.Where(r => !r.Excluded).ToList();
        var active = valid.Where(r => !r.IsDefault).ToList();
        var good = valid.Count(r => r.Level >= 4);
        void Check(string name, long numerator, long denominator)
        {
            var figure = f.GetProperty(name);
            Assert.True(figure.GetProperty("numerator").GetInt64() == numerator && figure.GetProperty("denominator").GetInt64() == denominator,
                $"{what} {name}: got {figure.GetProperty("numerator")}/{figure.GetProperty("denominator")}, recount {numerator}/{denominator}");
            if (denominator > 0)
            {
                Assert.Equal(Math.Round((decimal)numerator / denominator, 6), figure.GetProperty("value").GetDecimal());
            }
        }

        Assert.Equal(cases.Count, f.GetProperty("casesFinished").GetInt64());
        Assert.Equal(active.Count, f.GetProperty("activeRatings").GetInt64());
        Assert.Equal(valid.Count(r => r.IsDefault), f.GetProperty("defaultRatings").GetInt64());
        Assert.Equal(ratings.Count(r => r.Excluded), f.GetProperty("excludedRatings").GetInt64());
        Check("activeRatingRate", active.Count, cases.Count);
        Check("notRatedRate", cases.Count(c => !c.RatedActively), cases.Count);
        Check("goodRate", good, valid.Count);
        Check("activeGoodRate", active.Count(r => r.Level >= 4), active.Count);
        Check("satisfactionRate", valid.Count(r => r.Level >= 3), valid.Count);
        Check("badRate", valid.Count(r => r.Level <= 2), valid.Count);
        Check("averageLevel", valid.Sum(r => r.Level), valid.Count);
    }

    private sealed record CaseFact(IReadOnlyDictionary<string, string> Keys, bool RatedActively);

    private sealed record RatingFact(IReadOnlyDictionary<string, string> Keys, int Level, bool IsDefault, bool Excluded, bool FollowUp, bool Batch);

    private sealed record Truth(List<CaseFact> Cases, List<RatingFact> Ratings)
    {
        public int Count(Func<RatingFact, bool> p) => Ratings.Count(p);
    }

    private async Task<Truth> RecountAsync(List<string> agencies)
    {
        using var db = factory.Db();
        var agencyCodes = await db.Agencies.Where(a => agencies.Contains(a.CreditCode)).ToDictionaryAsync(a => a.Id, a => a.CreditCode);
        var itemCodes = await db.Items.ToDictionaryAsync(i => i.Id, i => i.ItemCode);
        var staff = await db.Staff.Include(x => x.Agency).ToDictionaryAsync(x => x.Id, x => $"{x.Agency.CreditCode}/{x.EmployeeNo}");
        var district = await db.Agencies.Where(a => agencies.Contains(a.CreditCode)).Select(a => a.Region.Code).FirstAsync();
        var cases = await db.Cases.AsNoTracking().Where(c => agencyCodes.Keys.Contains(c.AgencyId)).ToListAsync();
        var ratings = await db.Ratings.AsNoTracking().Where(r => agencyCodes.Keys.Contains(r.AgencyId)).ToListAsync();
        var activelyRated = ratings.Where(r => !r.IsDefault).Select(r => r.CaseId).ToHashSet();
        var caseById = cases.ToDictionary(c => c.Id);

        static string Day(DateTime utc) => utc.AddHours(8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Dictionary<string, string> Keys(Pingjia.Data.Ratings.Case c, DateTime at, string channel) => new()
        {
            ["agency"] = agencyCodes[c.AgencyId],
            ["item"] = itemCodes[c.ItemId],
            ["staff"] = c.StaffId is { } sid ? staff[sid] : "",
            ["channel"] = channel,
            ["day"] = Day(at),
            ["month"] = Day(at)[..7],
            ["region"] = district,
        };

        return new Truth(
            [.. cases.Where(c => c.RatingOpensAt is not null).Select(c => new CaseFact(Keys(c, c.RatingOpensAt!.Value, ""), activelyRated.Contains(c.Id)))],
            [.. ratings.Select(r =>
            {
                var c = caseById[r.CaseId];
                return new RatingFact(Keys(c, r.CreatedAt, JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Channel.ToString())), r.Level, r.IsDefault, r.Excluded, r.FollowUp is not null, c.BatchNo is not null);
            })]);
    }

    /// <summary>Days of history written straight into the tables, then counted by <see cref="CounterRebuild"/>.</summary>
    private async Task BulkHistoryAsync(Dictionary<string, string> items)
    {
        var rng = new Random(4242);
        var bulkCases = Size - (LiveDays * LivePerDay);
        var bulkDays = Days - LiveDays;
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Pingjia.Data.PingjiaDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var itemRows = await db.Items.Where(i => items.Keys.Contains(i.ItemCode)).Select(i => new { i.Id, i.AgencyId }).ToListAsync();
        var staffByAgency = await db.Staff.Where(x => itemRows.Select(i => i.AgencyId).Contains(x.AgencyId)).ToDictionaryAsync(x => x.AgencyId, x => x.Id);
        var origin = factory.Clock.GetUtcNow().UtcDateTime;
        var bulkEnd = origin.AddDays(bulkDays);
        var channels = Enum.GetValues<Pingjia.Domain.Ratings.RatingChannel>().Where(c => c != Pingjia.Domain.Ratings.RatingChannel.Default).ToArray();
        for (var n = 0; n < bulkCases; n++)
        {
            var item = itemRows[rng.Next(itemRows.Count)];
            var opens = origin.AddDays(n * (double)bulkDays / bulkCases).AddMinutes(rng.Next(0, 600));
            opens = new DateTime(opens.Ticks - (opens.Ticks % 10), DateTimeKind.Utc);
            var closes = Pingjia.Domain.Ratings.RatingWindow.ClosesAt(opens, 7);
            var batch = n % 40 <= 2 ? $"HB-{n / 40}" : null;
            var c = new Pingjia.Data.Ratings.Case
            {
                Id = Guid.CreateVersion7(), CaseNo = $"H{n:0000000}", ItemId = item.Id, AgencyId = item.AgencyId,
                StaffId = rng.Next(3) == 0 ? null : staffByAgency[item.AgencyId], ServiceChannel = Pingjia.Domain.Ratings.ServiceChannel.Window,
                Status = Pingjia.Domain.Ratings.CaseStatus.Approved, ApplicantType = "1", EntryReason = "decided", BatchNo = batch,
                DecidedAt = opens, RatingOpensAt = opens, RatingClosesAt = closes, ConfigVersion = 1, LastEventAt = opens, CreatedAt = opens, UpdatedAt = opens,
            };
            var roll = rng.NextDouble();
            if (roll < 0.55 && opens.AddHours(1) < bulkEnd)
            {
                var level = rng.NextDouble() switch { < 0.6 => 5, < 0.8 => 4, < 0.9 => 3, < 0.95 => 2, _ => 1 };
                // Rated within the window and before the bulk history ends (the live days follow it).
                var at = opens.AddHours(rng.Next(1, 150));
                at = new[] { at, closes.AddSeconds(-1), bulkEnd.AddSeconds(-1) }.Min();
                c.HasActiveRating = true;
                db.Ratings.Add(Rating(c, level, false, channels[rng.Next(channels.Length)], at, rng.NextDouble() < 0.1, rng.NextDouble() < 0.03));
            }
            else if (roll >= 0.55 && closes <= bulkEnd)
            {
                c.DefaultedAt = closes;
                db.Ratings.Add(Rating(c, 3, true, Pingjia.Domain.Ratings.RatingChannel.Default, closes, false, rng.NextDouble() < 0.01));
            }

            db.Cases.Add(c);
            if (n % 5000 == 4999)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }

        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        var rebuilt = await CounterRebuild.RunAsync(db, apply: true, CancellationToken.None);
        Assert.True(rebuilt.Differences > 0); // the bulk rows were not counted until the rebuild
        factory.Clock.Advance(TimeSpan.FromDays(bulkDays));

        static Pingjia.Data.Ratings.Rating Rating(Pingjia.Data.Ratings.Case c, int level, bool isDefault, Pingjia.Domain.Ratings.RatingChannel channel, DateTime at, bool followUp, bool excluded) => new()
        {
            Id = Guid.CreateVersion7(), CaseId = c.Id, CaseNo = c.CaseNo, Step = "main", Level = level, Indicators = "{}", Tags = "",
            Channel = channel, IsDefault = isDefault, BatchNo = c.BatchNo, AgencyId = c.AgencyId, ItemId = c.ItemId, StaffId = c.StaffId,
            Day = Pingjia.Domain.Ratings.RatingWindow.DayOf(at), ConfigVersion = 1, CreatedAt = at,
            FollowUp = followUp ? "追评" : null, FollowUpAt = followUp ? at : null,
            Excluded = excluded, ExcludedReason = excluded ? "申诉成立" : null, ExcludedAt = excluded ? at : null,
        };
    }

    private async Task<(List<string> Agencies, Dictionary<string, string> Items)> CatalogAsync(RatingScenario s)
    {
        var agencies = new List<string> { s.Agency, await factory.NewAgencyAsync(s.District, s.Admin) };
        var items = new Dictionary<string, string>();
        foreach (var agency in agencies)
        {
            for (var i = 0; i < 3; i++)
            {
                var code = $"G{i}-{agency[^8..]}";
                await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/items",
                    new { itemCode = code, name = $"事项{i}", itemType = "20", legalLimitDays = 10, promisedLimitDays = 5, issuesCertificate = false, agencyCreditCode = agency }));
                items[code] = agency;
            }

            await s.Admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = "W01", name = "员工" });
        }

        return (agencies, items);
    }

    private async Task GenerateAsync(RatingScenario s, Dictionary<string, string> items)
    {
        var rng = new Random(20261125);
        var perDay = LivePerDay;
        var itemCodes = items.Keys.ToList();
        string[] goodTags = ["510", "511", "512"];
        string[] channels = ["pc", "app", "qr_code", "hall_device", "sms", "paper"];
        var jobs = factory.Services.GetRequiredService<RatingJobs>();
        var admin = s.Admin;
        for (var day = Days - LiveDays; day < Days; day++)
        {
            factory.Clock.Advance(TimeSpan.FromDays(1));
            string? batchNo = null;
            var item = itemCodes[0];
            var toRate = new List<string>();
            for (var i = 0; i < perDay; i++)
            {
                var caseNo = $"S{day:00}-{i:000000}";
                // Every 40th case starts a batch of three (one applicant, one item, one visit).
                var inBatch = i % 40 <= 2;
                batchNo = i % 40 == 0 ? $"BATCH-{day}-{i}" : inBatch ? batchNo : null;
                item = batchNo is not null && i % 40 != 0 ? item : itemCodes[rng.Next(itemCodes.Count)];
                var body = new
                {
                    itemCode = item,
                    agencyCreditCode = items[item],
                    staffEmployeeNo = rng.Next(3) == 0 ? null : "W01",
                    serviceChannel = rng.Next(2) == 0 ? "online" : "window",
                    status = rng.Next(25) == 0 ? "accepted" : rng.Next(20) == 0 ? "refused" : "approved",
                    batchNo,
                    applicant = new { type = "1", mobile = "139" + rng.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture) },
                    decidedAt = factory.Clock.GetUtcNow().AddMinutes(-rng.Next(0, 600)),
                };
                var put = await admin.PutAsJsonAsync($"/api/v1/cases/{caseNo}", body);
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
                if (rng.NextDouble() < 0.55 && (batchNo is null || i % 40 == 0))
                {
                    toRate.Add(caseNo);
                }
            }

            // Ratings come in the next hours, spread over the channels and levels (more good than bad, as in practice).
            factory.Clock.Advance(TimeSpan.FromHours(rng.Next(1, 5)));
            foreach (var caseNo in toRate)
            {
                var level = rng.NextDouble() switch { < 0.6 => 5, < 0.8 => 4, < 0.9 => 3, < 0.95 => 2, _ => 1 };
                var rating = await admin.PostAsJsonAsync("/api/v1/ratings", new
                {
                    caseNo,
                    level,
                    tags = level == 5 ? new[] { goodTags[rng.Next(3)] } : [],
                    text = level <= 2 ? "办理太慢" : null,
                    channel = channels[rng.Next(channels.Length)],
                });
                if (rating.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                    continue; // an unfinished case: rating is not open, as it should be
                }

                var json = await HttpAssert.Json(rating, 201);
                var id = json.GetProperty("rating").GetProperty("id").GetGuid();
                if (rng.NextDouble() < 0.1)
                {
                    await HttpAssert.Json(await admin.PostAsJsonAsync($"/api/v1/ratings/{id}/follow-up", new { text = "追评" }), 200);
                }

                if (rng.NextDouble() < 0.03)
                {
                    await HttpAssert.Json(await admin.PostAsJsonAsync($"/api/v1/ratings/{id}/exclude", new { reason = "申诉成立" }), 200);
                }
            }

            await jobs.CloseWindowsAsync(CancellationToken.None);
            output.WriteLine($"day {day} done");
        }
    }
}
