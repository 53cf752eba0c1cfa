using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Catalog;
using Pingjia.Data.Surveys;
using Pingjia.Domain.Catalog;
using Pingjia.Domain.Surveys;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Surveys;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Bench.Surveys;

/// <summary>
/// <c>dotnet run -c Release --project bench/Pingjia.Bench.Surveys -- --filter '*'</c>. The case: 100,000 responses,
/// 30 questions, 20 units, 4 strata (with population shares, so every unit margin is post-stratified).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>Generates the survey: a fixed seed, so every run analyses the same answers.</summary>
public static class SurveyBenchData
{
    public const int Responses = 100_000;
    public const int Units = 20;

    public static Questionnaire Questionnaire { get; } = Questionnaire.Create([
        new Section("s1", "服务评价", [
            .. Enumerable.Range(1, 24).Select(i => new Question($"q{i:00}", $"四级满意度 {i}", QuestionType.Likert, Required: i == 1, Scale: LikertScale.FourLevel)),
            new Question("q25", "总体（五级）", QuestionType.Likert, Scale: LikertScale.FiveLevel),
            new Question("q26", "窗口（五级）", QuestionType.Likert, Scale: LikertScale.FiveLevel),
            new Question("q27", "办理事项", QuestionType.SingleChoice, Options: [new("a", "社保"), new("b", "户籍"), new("c", "税务"), new("d", "其他")]),
            new Question("q28", "了解渠道", QuestionType.MultipleChoice, Options: [new("web", "网站"), new("app", "APP"), new("tv", "电视"), new("sms", "短信"), new("friend", "亲友")]),
            new Question("q29", "等候分钟", QuestionType.Number, Min: 0, Max: 600),
            new Question("q30", "意见建议", QuestionType.Text),
        ]),
    ]);

    public static IReadOnlyList<string> UnitCodes { get; } = [.. Enumerable.Range(1, Units).Select(u => $"U{u:00}")];

    public static IReadOnlyList<StratumDefinition> Strata { get; } =
    [
        new("users", "服务对象", PopulationShare: 0.7), new("residents", "居民", PopulationShare: 0.2),
        new("deputies", "人大代表", PopulationShare: 0.06), new("leaders", "领导", PopulationShare: 0.04),
    ];

    /// <summary>The responses as stored: unit, stratum and the compact answers JSON.</summary>
    public static List<(string Unit, string Stratum, string Answers, string? Interviewer, string? Respondent)> StoredResponses(int count = Responses, int seed = 20261125)
    {
        var random = new Random(seed);
        var q = Questionnaire;
        var list = new List<(string, string, string, string?, string?)>(count);
        for (var r = 0; r < count; r++)
        {
            var unit = random.Next(Units);
            // Strata unevenly sampled against their population (deputies and leaders oversampled), so the weights matter.
            var roll = random.NextDouble();
            var stratum = roll < 0.55 ? 0 : roll < 0.75 ? 1 : roll < 0.9 ? 2 : 3;
            var lean = 0.15 + (unit * 0.02) + (stratum * 0.05); // each unit and stratum a little different
            var answers = new Dictionary<string, Answer>();
            foreach (var question in q.Questions)
            {
                if (random.NextDouble() < 0.03 && !question.Required)
                {
                    continue; // item non-response
                }

                answers[question.Code] = question.Type switch
                {
                    QuestionType.Likert => new Answer(Scale: Scale(random, question.Scale!.Points, lean)),
                    QuestionType.SingleChoice => new Answer(Choice: question.Options![random.Next(question.Options.Count)].Code),
                    QuestionType.MultipleChoice => new Answer(Choices: [.. question.Options!.Where(_ => random.NextDouble() < 0.3).Select(o => o.Code).DefaultIfEmpty("web")]),
                    QuestionType.Number => new Answer(Number: Math.Round((decimal)(random.NextDouble() * 60), 1)),
                    _ => random.NextDouble() < 0.1 ? new Answer(Text: "建议增加窗口") : null!,
                };
                if (answers[question.Code] is null)
                {
                    answers.Remove(question.Code);
                }
            }

            // A third are phone interviews by 30 interviewers with the respondent's phone as a key (about 1 % of keys repeat).
            var phone = r % 3 == 0;
            list.Add((UnitCodes[unit], Strata[stratum].Code, SurveyCodec.WriteAnswers(q, answers),
                phone ? $"key:I{random.Next(30):00}" : null, phone ? $"k{random.Next(3_300_000):0000000}" : null));
        }

        return list;
    }

    private static int Scale(Random random, int k, double lean)
    {
        // Mostly satisfied, with a tail: top point with probability 1 − lean − 0.1, then down.
        var x = random.NextDouble();
        return x > lean + 0.1 ? k : x > lean ? k - 1 : x > 0.04 ? Math.Max(1, k - 2) : 1;
    }

    public static SurveyData Columns(List<(string Unit, string Stratum, string Answers, string? Interviewer, string? Respondent)> stored)
    {
        var data = new SurveyData(Questionnaire, UnitCodes, Strata, stored.Count);
        foreach (var (unit, stratum, answers, interviewer, respondent) in stored)
        {
            var row = data.AddRow(data.UnitIndex(unit), data.StratumIndex(stratum), Guid.NewGuid(), respondent, interviewer);
            SurveyCodec.ReadAnswersInto(data, row, answers);
        }

        return data;
    }
}

[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class SurveyAnalysisBenchmarks
{
    private List<(string Unit, string Stratum, string Answers, string? Interviewer, string? Respondent)> _stored = [];
    private SurveyData _data = null!;

    [GlobalSetup]
    public void Setup()
    {
        _stored = SurveyBenchData.StoredResponses();
        _data = SurveyBenchData.Columns(_stored);
    }

    /// <summary>The domain analysis alone: every question × unit × stratum with margins, weights, intervals.</summary>
    [Benchmark]
    public SurveyResults Analyse() => SurveyAnalysis.Analyse(_data, new AnalysisOptions(MinN: 30));

    /// <summary>From the stored answer JSON of 100,000 responses to the results: parsing into columns plus the analysis.</summary>
    [Benchmark]
    public SurveyResults ParseAndAnalyse() => SurveyAnalysis.Analyse(SurveyBenchData.Columns(_stored), new AnalysisOptions(MinN: 30));

    /// <summary>The integrity scan over the same responses: duplicate keys among the 33,334 phone interviews, straight-lining, 30 interviewers.</summary>
    [Benchmark]
    public int IntegrityScan() => SurveyIntegrity.Scan(_data).Count;
}

/// <summary>
/// The server's own path: <see cref="SurveyResultsService.LoadAsync"/> reads the 100,000 stored responses from a SQLite
/// file made by the real migrations, then the analysis. The file is built once and reused (PINGJIA_BENCH_SURVEY_DB).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class SurveyDatabaseBenchmarks
{
    private PingjiaDbContext _db = null!;
    private SurveyResultsService _results = null!;
    private Survey _survey = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("PINGJIA_BENCH_SURVEY_DB")
            ?? Path.Combine(Path.GetTempPath(), $"pingjia-bench-surveys-v2-{SurveyBenchData.Responses}.db");
        var fresh = !File.Exists(path);
        _db = Open(path);
        if (fresh)
        {
            Seed(_db).GetAwaiter().GetResult();
        }

        var time = TimeProvider.System;
        var options = new PingjiaOptions();
        var audit = new AuditLog(_db, time, Caller.Anonymous);
        var personal = new PersonalData(new byte[16]);
        var surveys = new SurveyService(_db, audit, personal, new Pingjia.Server.Features.Ratings.OutboxSmsGateway(personal, time), options, time);
        _results = new SurveyResultsService(_db, surveys, audit, time);
        _survey = _db.Surveys.AsNoTracking().Single(s => s.Code == "BENCH");
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    [Benchmark]
    public async Task<SurveyResults> LoadFromSqliteAndAnalyse()
    {
        var data = await _results.LoadAsync(_survey, new ResultsQuery(), CancellationToken.None);
        return SurveyAnalysis.Analyse(data, new AnalysisOptions(MinN: 30));
    }

    private static PingjiaDbContext Open(string path)
    {
        var builder = new DbContextOptionsBuilder<PingjiaDbContext>()
            .UseSqlite($"Data Source={path}", o => o.MigrationsAssembly("Pingjia.Migrations.Sqlite"));
        var db = new PingjiaDbContext(builder.Options);
        db.Database.Migrate();
        return db;
    }

    private static async Task Seed(PingjiaDbContext db)
    {
        var now = DateTime.UtcNow;
        var region = new Region { Id = Guid.CreateVersion7(), Code = "449900000000", Name = "基准市", Level = RegionLevel.City, Path = "449900000000/", CreatedAt = now, UpdatedAt = now };
        db.Regions.Add(region);
        var survey = new Survey
        {
            Id = Guid.CreateVersion7(), Code = "BENCH", Title = "基准测评", OwnerRegionId = region.Id, OwnerRegionPath = region.Path, UnitKind = "region",
            Strata = SurveyCodec.WriteStrata(SurveyBenchData.Strata), QuotaMode = QuotaMode.Warn, OpensAt = now.AddDays(-30), ClosesAt = now.AddDays(30),
            MinN = 30, CurrentVersion = 1, CreatedBy = "bench", CreatedAt = now, UpdatedAt = now,
        };
        db.Surveys.Add(survey);
        db.SurveyVersions.Add(new SurveyVersion { SurveyId = survey.Id, Version = 1, Document = SurveyCodec.WriteSections(SurveyBenchData.Questionnaire.Sections), CreatedBy = "bench", CreatedAt = now });
        foreach (var u in SurveyBenchData.UnitCodes)
        {
            db.SurveyUnits.Add(new SurveyUnit { SurveyId = survey.Id, Code = u, Name = "单位 " + u, RefId = Guid.CreateVersion7() });
        }

        await db.SaveChangesAsync();
        var stored = SurveyBenchData.StoredResponses();
        var formNo = 0;
        for (var start = 0; start < stored.Count; start += 10_000)
        {
            foreach (var (unit, stratum, answers, interviewer, respondent) in stored.Skip(start).Take(10_000))
            {
                formNo++;
                db.SurveyResponses.Add(new SurveyResponse
                {
                    Id = Guid.CreateVersion7(), SurveyId = survey.Id, Version = 1, UnitCode = unit, StratumCode = stratum, Channel = interviewer is null ? SurveyChannel.Paper : SurveyChannel.Phone, EnteredBy = interviewer, RespondentIndex = respondent,
                    Status = SurveyResponseStatus.Complete, Answers = answers, SubmittedAt = now.AddSeconds(-start), FormNo = interviewer is null ? "F" + formNo.ToString("000000", CultureInfo.InvariantCulture) : null,
                });
            }

            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }
}
